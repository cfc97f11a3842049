package dev.weft.app;

import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ./studio's start: a missing display or GTK is one line naming the problem and the fix. */
class LauncherTest {
    @Test
    void noDisplayOnLinuxIsFoundBeforeStarting() {
        String m = Launcher.checkDisplay(Map.of(), "Linux", null).orElseThrow();
        assertTrue(m.startsWith("studio: no display") && m.contains("set DISPLAY") && m.contains("xvfb-run"), m);
        assertEquals(1, m.lines().count());
        assertTrue(Launcher.checkDisplay(Map.of("DISPLAY", ":0"), "Linux", null).isEmpty());
        assertTrue(Launcher.checkDisplay(Map.of("WAYLAND_DISPLAY", "wayland-0"), "Linux", null).isEmpty());
        assertTrue(Launcher.checkDisplay(Map.of(), "Linux", "Monocle").isEmpty(), "headless needs no display");
        assertTrue(Launcher.checkDisplay(Map.of(), "Windows 11", null).isEmpty());
        assertTrue(Launcher.checkDisplay(Map.of(), "Mac OS X", null).isEmpty());
    }

    /** As the java launcher reports JavaFX's failures: wrapped, with the problem in the cause. */
    private static Throwable wrapped(String message) {
        return new RuntimeException("Exception in Application start method",
                new InvocationTargetException(new UnsupportedOperationException(message)));
    }

    @Test
    void gtkMissingNamesThePackages() {
        String m = Launcher.explain(wrapped("Unable to load glass GTK library."), ":99");
        assertEquals("studio: JavaFX cannot load GTK 3, which it needs to open a window (Unable to load glass GTK "
                + "library): install it, e.g. sudo apt install libgtk-3-0 libxtst6 libgl1", m);
    }

    @Test
    void aDisplayThatDoesNotOpenNamesItAndXvfb() {
        String m = Launcher.explain(wrapped("Unable to open DISPLAY"), ":42");
        assertTrue(m.startsWith("studio: cannot open the display \":42\"") && m.contains("xvfb-run -a ./studio"), m);
    }

    @Test
    void anythingElseGivesTheRootCauseAndHowToSeeMore() {
        String m = Launcher.explain(new IllegalStateException("outer", new Error("the real reason.")), ":0");
        assertEquals("studio: the window could not open: the real reason (./studio -Dweft.debug=true prints the "
                + "details)", m);
    }
}
