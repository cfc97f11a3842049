package dev.weft.app;

import ai.djl.Device;
import dev.weft.app.common.Dialogs;
import dev.weft.app.common.FxDialogs;
import dev.weft.app.service.EngineService;
import javafx.application.Application;
import javafx.stage.Stage;

import java.nio.file.Path;
import java.util.List;

/**
 * The studio's entry point: builds the ViewModels ({@link StudioViewModel}), the window ({@link MainView}), then
 * loads the bundled model in the background (the status bar shows progress, then model, device and memory).
 * A project file given as an argument is opened. {@code -Dweft.model=DIR} picks another model folder, {@code -Dweft.device=gpu} the GPU, {@code -Dweft.config=DIR}
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
        studio.engine().stateProperty().addListener((o, a, st) -> {
            if (st == EngineService.State.READY || st == EngineService.State.FAILED) {
                System.out.println("Weft studio: " + (st == EngineService.State.READY ? "model "
                        + studio.engine().modelIdProperty().get() + " ready on "
                        + studio.engine().deviceProperty().get() : studio.engine().messageProperty().get()));
            }
        });
        studio.engine().failureProperty().addListener((o, a, f) -> {
            if (f != null && f.keptModel() != null) {
                System.out.println("Weft studio: " + f.folder() + " not loaded (" + f.message() + "); "
                        + f.keptModel() + " stays loaded");
            }
        });
        studio.engine().load(EngineService.defaultModelDir(), device());
        // ./studio story.weft opens a project (unless unsaved work from a crash is being offered first);
        // --smoke OUT.png (the installer's check) opens its own sample instead
        List<String> raw = getParameters() == null ? List.of() : getParameters().getRaw();
        if (raw.contains("--smoke")) {
            InstallSmoke.startIfAsked(getParameters(), stage, studio);
        } else if (!raw.isEmpty() && studio.project().recoveryOfferProperty().get() == null) {
            studio.project().open(Path.of(raw.get(0)));
        }
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
