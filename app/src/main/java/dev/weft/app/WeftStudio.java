package dev.weft.app;

import dev.weft.engine.config.ModelConfig;
import javafx.application.Application;
import javafx.geometry.Insets;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.stage.Stage;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The studio's entry point. For now a single window with the model in the status bar; the storyboard, sketch
 * pad, style board and queue arrive with the studio issue.
 */
public final class WeftStudio extends Application {
    static final String TITLE = "Weft";

    @Override
    public void start(Stage stage) {
        BorderPane root = new BorderPane();
        root.setId("studio-root");
        Label welcome = new Label("Weft: interleaved text and images. The storyboard opens here.");
        welcome.setId("welcome");
        BorderPane.setMargin(welcome, new Insets(24));
        root.setCenter(welcome);
        Label status = new Label(describeModel());
        status.setId("status-model");
        HBox bar = new HBox(status);
        bar.setPadding(new Insets(4, 8, 4, 8));
        bar.getStyleClass().add("status-bar");
        root.setBottom(bar);
        Scene scene = new Scene(root, 960, 640);
        scene.getStylesheets().add(WeftStudio.class.getResource("studio.css").toExternalForm());
        stage.setTitle(TITLE);
        stage.setScene(scene);
        stage.show();
    }

    /** The model the studio would load: assets/tiny when present, else the tiny preset. */
    static String describeModel() {
        Path cfg = Path.of("assets/tiny/config.json");
        ModelConfig c = Files.isRegularFile(cfg) ? ModelConfig.read(cfg) : ModelConfig.tiny();
        return "Model: " + c.name() + "  |  Device: CPU";
    }

    public static void main(String[] args) {
        launch(args);
    }
}
