package dev.weft.app;

import javafx.application.Application;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code ./studio} runs: checks that a window can open, then starts {@link WeftStudio}. When it cannot (no
 * display, or GTK 3 missing, which JavaFX needs on Linux), it prints one line naming the problem and the fix and
 * exits with {@value #NO_WINDOW} instead of a stack trace ({@code -Dweft.debug=true} prints the trace as well).
 *
 * <p>A plain main class: the java launcher starts a main class that extends {@link Application} through its own
 * helper, which never calls that class's {@code main}, so failures to start the toolkit could not be caught there.
 */
public final class Launcher {
    /** Exit status when the window cannot open. */
    public static final int NO_WINDOW = 3;

    private Launcher() { }

    public static void main(String[] args) {
        Optional<String> problem = checkDisplay(System.getenv(), System.getProperty("os.name", ""),
                System.getProperty("glass.platform"));
        if (problem.isPresent()) {
            System.err.println(problem.get());
            System.exit(NO_WINDOW);
        }
        try {
            Application.launch(WeftStudio.class, args);
        } catch (Throwable t) {
            if (Boolean.getBoolean("weft.debug")) {
                t.printStackTrace();
            }
            System.err.println(explain(t, System.getenv("DISPLAY")));
            System.exit(NO_WINDOW);
        }
        System.exit(0);
    }

    /**
     * The problem that keeps a window from opening, found before starting JavaFX: on Linux and the BSDs, no
     * display ({@code DISPLAY} and {@code WAYLAND_DISPLAY} unset). Monocle (headless) needs none.
     */
    static Optional<String> checkDisplay(Map<String, String> env, String os, String glassPlatform) {
        String o = os.toLowerCase(Locale.ROOT);
        boolean x11 = o.contains("linux") || o.contains("bsd") || o.contains("sunos");
        if (!x11 || "monocle".equalsIgnoreCase(glassPlatform)) {
            return Optional.empty();
        }
        if (blank(env.get("DISPLAY")) && blank(env.get("WAYLAND_DISPLAY"))) {
            return Optional.of("studio: no display to open the window on (DISPLAY is not set): start it from a "
                    + "desktop session, set DISPLAY, or run it under a virtual display: xvfb-run -a ./studio");
        }
        return Optional.empty();
    }

    /** One line for a failure to start the window: the problem and the fix. */
    static String explain(Throwable t, String display) {
        List<String> messages = new ArrayList<>();
        for (Throwable c = t; c != null && messages.size() < 20; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                messages.add(c.getMessage().strip());
            }
        }
        // the innermost cause names the problem
        String root = messages.isEmpty() ? t.getClass().getName() : messages.get(messages.size() - 1);
        root = root.endsWith(".") ? root.substring(0, root.length() - 1) : root;
        String all = String.join(" | ", messages);
        if (all.contains("Unable to load glass GTK library") || all.contains("libgtk")
                || all.contains("glassgtk")) {
            return "studio: JavaFX cannot load GTK 3, which it needs to open a window (" + root + "): install it, "
                    + "e.g. sudo apt install libgtk-3-0 libxtst6 libgl1";
        }
        if (all.contains("Unable to open DISPLAY") || all.contains("cannot open display")) {
            return "studio: cannot open the display " + (blank(display) ? "(DISPLAY is not set)" : "\"" + display
                    + "\"") + ": check that the X server runs and lets this user in, or run under a virtual "
                    + "display: xvfb-run -a ./studio";
        }
        if (all.contains("no suitable pipeline") || all.contains("Graphics Device initialization failed")) {
            return "studio: JavaFX found no graphics pipeline (" + root + "): install OpenGL, e.g. sudo apt "
                    + "install libgl1 libgl1-mesa-dri, or use software rendering: ./studio -Dprism.order=sw";
        }
        return "studio: the window could not open: " + root + " (./studio -Dweft.debug=true prints the details)";
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
