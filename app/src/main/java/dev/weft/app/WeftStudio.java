package dev.weft.app;

import ai.djl.Device;
import dev.weft.app.common.Dialogs;
import dev.weft.app.common.FxDialogs;
import dev.weft.app.service.EngineService;
import javafx.application.Application;
import javafx.stage.Stage;

/**
 * The studio's entry point: builds the ViewModels ({@link StudioViewModel}), the window ({@link MainView}), then
 * loads the bundled model in the background (the status bar shows progress, then model, device and memory).
 * {@code -Dweft.model=DIR} picks another model folder, {@code -Dweft.device=gpu} the GPU, {@code -Dweft.config=DIR}
 * the settings and recovery folder.
 */
public final class WeftStudio extends Application {
    static final String TITLE = "Weft";

    private StudioViewModel studio;
    private MainView view;

    @Override
    public void start(Stage stage) {
        studio = StudioViewModel.builder().build();
        view = show(stage, studio, new FxDialogs(() -> stage));
        // a bug in a handler becomes a message, not a dead window
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> javafx.application.Platform.runLater(() ->
                studio.notifier().publish(dev.weft.app.common.Notification.error("Something went wrong",
                        e + (e.getStackTrace().length > 0 ? "\nat " + e.getStackTrace()[0] : "")))));
        studio.engine().load(EngineService.defaultModelDir(), device());
        InstallSmoke.startIfAsked(getParameters(), stage, studio);
    }

    /** Builds and shows the window over a studio (tests pass their own studio and scripted dialogs). */
    public static MainView show(Stage stage, StudioViewModel studio, Dialogs dialogs) {
        MainView v = new MainView(studio, dialogs);
        v.install(stage);
        stage.show();
        v.afterShown();
        return v;
    }

    static Device device() {
        String d = System.getProperty("weft.device", "cpu");
        return d.equalsIgnoreCase("gpu") || d.equalsIgnoreCase("cuda") ? Device.gpu() : Device.cpu();
    }

    @Override
    public void stop() {
        Thread.setDefaultUncaughtExceptionHandler(null);
        if (view != null) {
            view.dispose();
        }
        if (studio != null) {
            studio.close();
        }
    }

    public static void main(String[] args) {
        launch(args);
    }
}
