package dev.weft.app;

import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real entry point opens headless (Monocle), loads the bundled model in the background, shows it. */
@ExtendWith(ApplicationExtension.class)
class WeftStudioTest {
    @TempDir
    static Path config;

    private Stage stage;
    private WeftStudio app;

    @Start
    void start(Stage stage) {
        System.setProperty("weft.config", config.toString());
        System.setProperty("weft.model", dev.weft.app.testing.TinyEngine.DIR.toString());
        this.stage = stage;
        app = new WeftStudio();
        app.start(stage);
    }

    @AfterEach
    void stop() throws Exception {
        WaitForAsyncUtils.asyncFx(app::stop).get(10, TimeUnit.SECONDS);
        System.clearProperty("weft.config");
        System.clearProperty("weft.model");
    }

    @Test
    void windowLoadsTheModelAndShowsIt(FxRobot robot) throws Exception {
        assertEquals("Weft — Untitled", stage.getTitle());
        Label status = robot.lookup("#status-model").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> status.getText().startsWith("Model:"));
        assertTrue(status.getText().contains("Model: tiny") && status.getText().contains("CPU"), status.getText());
        Label memory = robot.lookup("#status-memory").queryAs(Label.class);
        assertTrue(memory.getText().contains("Heap"), memory.getText());
        assertTrue(robot.lookup("#continue").queryButton().isVisible());
    }
}
