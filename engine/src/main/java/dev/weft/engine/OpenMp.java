package dev.weft.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * How libtorch's CPU threads wait: sets {@code OMP_WAIT_POLICY=PASSIVE} for this process before libtorch (and the
 * GNU OpenMP runtime it carries) loads, unless the user set it.
 *
 * <p>Why: with the default (active) policy an idle OpenMP thread spins between parallel regions. Where the cores
 * are shared (a 2-core machine running anything else, the studio's own UI thread) a spinning or descheduled thread
 * holds up every barrier of the next op; the engine runs thousands of small ops per step, so a UNet step measured
 * 30x slower (2.9-3.0 s instead of 87-100 ms on weft-small, 2 cores with another busy process). Passive threads
 * sleep instead; on an otherwise idle machine the step time is unchanged within noise.
 *
 * <p>The runtime reads its environment once, when it loads, so this must run before the first tensor op:
 * {@link Engine} and {@link Devices} call it from their static initialisers. It changes the C environment of this
 * process through the C library's {@code setenv} (JNA, which DJL itself uses); where that is not possible (no C
 * library by that name) nothing changes and the engine runs as before.
 */
public final class OpenMp {
    private static boolean done;

    private OpenMp() { }

    /** Sets {@code OMP_WAIT_POLICY=PASSIVE} unless the variable is already set; idempotent. */
    public static synchronized void preferPassiveWaiting() {
        if (done) {
            return;
        }
        done = true;
        if (System.getenv("OMP_WAIT_POLICY") != null) {
            return;
        }
        try {
            CLibrary.INSTANCE.setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
        } catch (RuntimeException | LinkageError e) {
            // no C library to call (e.g. Windows): OpenMP keeps its default policy
        }
    }

    private interface CLibrary extends Library {
        CLibrary INSTANCE = Native.load("c", CLibrary.class);

        int setenv(String name, String value, int overwrite);
    }
}
