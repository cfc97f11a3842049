package dev.weft.app;

import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The studio window opens headless (Monocle) and shows the model in its status bar. */
@ExtendWith(ApplicationExtension.class)
class WeftStudioTest {
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        new WeftStudio().start(stage);
    }

    @Test
    void windowShowsModel(FxRobot robot) {
        assertEquals("Weft", stage.getTitle());
        Label status = robot.lookup("#status-model").queryAs(Label.class);
        assertTrue(status.getText().contains("Model: tiny"), status.getText());
    }
}
