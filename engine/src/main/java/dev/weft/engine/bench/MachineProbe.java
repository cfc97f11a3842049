package dev.weft.engine.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.nn.Ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Measurements of the machine itself: its matmul rate (fp32 or fp16) and the process's resident memory. */
public final class MachineProbe {
    private MachineProbe() { }

    /**
     * fp32 GFLOP/s of an n x n matmul through DJL on the given manager's device: the median of {@code reps} timed
     * runs after two warm-ups.
     */
    public static double matmulGflops(NDManager parent, int n, int reps) {
        return matmulGflops(parent, n, reps, DataType.FLOAT32);
    }

    /** As {@link #matmulGflops(NDManager, int, int)} with operands of {@code type} (the result read back as fp32). */
    public static double matmulGflops(NDManager parent, int n, int reps, DataType type) {
        try (NDManager m = parent.newSubManager()) {
            NDArray a = m.randomNormal(new Shape(n, n)).toType(type, false);
            NDArray b = m.randomNormal(new Shape(n, n)).toType(type, false);
            double[] secs = new double[reps];
            for (int i = -2; i < reps; i++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray a2 = a.duplicate();
                    a2.attach(step);
                    long t0 = System.nanoTime();
                    NDArray c = a2.matMul(b);
                    Ops.fp32(c).toFloatArray(); // forces the work to finish
                    long t1 = System.nanoTime();
                    if (i >= 0) {
                        secs[i] = (t1 - t0) / 1e9;
                    }
                }
            }
            Arrays.sort(secs);
            double median = secs[reps / 2];
            return 2.0 * n * n * n / median / 1e9;
        }
    }

    /** Resident set size of this process in MiB (native and heap), from /proc; -1 where unavailable. */
    public static double residentMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String kb = line.replaceAll("[^0-9]", "");
                    return Long.parseLong(kb) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: fall through
        }
        return -1;
    }

    /** RSS minus the Java heap in use: an estimate of native memory. */
    public static double nativeMiB() {
        Runtime rt = Runtime.getRuntime();
        double heap = (rt.totalMemory()) / (1024.0 * 1024.0);
        double rss = residentMiB();
        return rss < 0 ? -1 : rss - heap;
    }
}
