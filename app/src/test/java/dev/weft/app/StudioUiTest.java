package dev.weft.app;

import dev.weft.app.common.Notification;
import dev.weft.app.common.UiThread;
import dev.weft.app.project.Recovery;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.queue.JobStatus;
import dev.weft.app.service.EngineService;
import dev.weft.app.storyboard.CellViewModel;
import dev.weft.app.storyboard.StoryboardViewModel;
import dev.weft.app.testing.ScriptedDialogs;
import dev.weft.app.testing.TinyEngine;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.TextArea;
import javafx.scene.image.ImageView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The studio window, headless (Monocle), on the real tiny engine: continue a story from the button, type while a
 * job runs and cancel it from the queue, keyboard undo/redo, drag to reorder, sketch and paint, style a reference on
 * the style board, save and reopen from the menus, a damaged and a zip-slip file's dialog, recovery after a crash,
 * and the unsaved-changes question on close.
 */
@ExtendWith(ApplicationExtension.class)
class StudioUiTest {
    @TempDir
    Path dir;

    private StudioViewModel studio;
    private MainView view;
    private Stage stage;
    private final ScriptedDialogs dialogs = new ScriptedDialogs();

    @Start
    void start(Stage s) {
        stage = s;
        AtomicLong seeds = new AtomicLong(500);
        studio = StudioViewModel.builder().ui(UiThread.fx())
                .engine(EngineService.of(TinyEngine.get(), UiThread.fx())).configDir(dir.resolve("config"))
                .recovery(new Recovery(dir.resolve("config/recovery"), 1, p -> false))
                .seeds(seeds::incrementAndGet).previewIntervalMillis(0).build();
        TinyEngine.fast(studio.storyboard().settings());
        view = WeftStudio.show(s, studio, dialogs);
    }

    @AfterEach
    void close() throws Exception {
        WaitForAsyncUtils.asyncFx(() -> {
            studio.jobQueue().cancelAll();
            view.dispose(); // its autosave timer would fire into the closed studio of a later test
        }).get(5, TimeUnit.SECONDS);
        studio.close();
    }

    private static void waitUntil(BooleanSupplier done, int seconds) throws Exception {
        WaitForAsyncUtils.waitFor(seconds, TimeUnit.SECONDS,
                () -> UiThread.callOnFx(done::getAsBoolean, 5));
    }

    private StoryboardViewModel sb() {
        return studio.storyboard();
    }

    private TextArea areaOf(FxRobot robot, CellViewModel c) {
        return robot.lookup("#cell-" + c.id() + " .text-area").queryAs(TextArea.class);
    }

    @Test
    void continueAStoryFromTheButton(FxRobot robot) throws Exception {
        robot.clickOn("#add-text");
        robot.write("A red fox walks into the forest.");
        CellViewModel first = sb().cells().get(0);
        assertEquals("A red fox walks into the forest.", first.getText());
        robot.clickOn("#continue");
        waitUntil(() -> sb().cells().size() == 3 && !sb().cells().get(2).isGenerating(), 60);
        CellViewModel text = sb().cells().get(1);
        CellViewModel pic = sb().cells().get(2);
        assertTrue(text.isText() && !text.getText().isBlank());
        assertNotNull(pic.getImage());
        ImageView iv = robot.lookup("#cell-" + pic.id() + " .cell-image").queryAs(ImageView.class);
        assertNotNull(iv.getImage(), "the picture is on screen");
        assertEquals(text.getText(), areaOf(robot, text).getText());
        GenerationJob job = studio.queue().jobs().get(0);
        assertEquals(JobStatus.SUCCEEDED, job.getStatus());
        assertTrue(stage.getTitle().endsWith("•"), stage.getTitle());
        screenshot(robot, "continued");
    }

    @Test
    void typingWhileAJobRunsThenCancelItFromTheQueue(FxRobot robot) throws Exception {
        CellViewModel[] first = new CellViewModel[1];
        robot.interact(() -> {
            first[0] = sb().addText("Once upon a time");
            sb().settings().stepsProperty().set(400); // long enough to still run while we type
        });
        robot.clickOn("#continue");
        waitUntil(() -> sb().cells().size() == 3, 60); // text written, picture being painted
        GenerationJob job = studio.queue().jobs().get(0);
        assertEquals(JobStatus.RUNNING, job.getStatus());

        // the UI thread answers quickly while the engine works
        long t0 = System.nanoTime();
        WaitForAsyncUtils.asyncFx(() -> { }).get(2, TimeUnit.SECONDS);
        long roundTripMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(roundTripMs < 1000, "UI round trip took " + roundTripMs + " ms");

        robot.clickOn(areaOf(robot, first[0]));
        robot.type(KeyCode.END);
        robot.write(" there was a fox");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("Once upon a time there was a fox", first[0].getText());
        assertEquals(JobStatus.RUNNING, job.getStatus(), "typed while the job was running");
        screenshot(robot, "running");

        Button cancel = robot.lookup("#job-" + job.id() + " .cancel-job").queryAs(Button.class);
        robot.clickOn(cancel);
        waitUntil(() -> job.getStatus().isFinished(), 30);
        assertEquals(JobStatus.CANCELLED, job.getStatus());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(2, sb().cells().size(), "the unfinished picture is dropped, the written text kept");
        assertTrue(sb().cells().get(1).isText());
        assertFalse(sb().cells().get(1).isGenerating());
    }

    @Test
    void undoAndRedoFromTheKeyboard(FxRobot robot) {
        robot.clickOn("#add-text");
        robot.write("Hello");
        CellViewModel c = sb().cells().get(0);
        assertTrue(stage.getTitle().endsWith("•"));
        robot.press(KeyCode.CONTROL).type(KeyCode.Z).release(KeyCode.CONTROL);
        assertEquals("", c.getText(), "the typing run is one step");
        assertEquals("", areaOf(robot, c).getText());
        robot.press(KeyCode.CONTROL).type(KeyCode.Z).release(KeyCode.CONTROL);
        assertEquals(0, sb().cells().size());
        assertEquals("Weft — Untitled", stage.getTitle());
        robot.press(KeyCode.CONTROL, KeyCode.SHIFT).type(KeyCode.Z).release(KeyCode.SHIFT, KeyCode.CONTROL);
        robot.press(KeyCode.CONTROL).type(KeyCode.Y).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, sb().cells().size());
        assertEquals("Hello", sb().cells().get(0).getText());
    }

    @Test
    void dragACellToReorderIsOneUndoStep(FxRobot robot) {
        robot.interact(() -> {
            sb().addText("one");
            sb().addText("two");
            sb().addText("three");
        });
        CellViewModel three = sb().cells().get(2);
        CellViewModel one = sb().cells().get(0);
        Node handle = robot.lookup("#cell-" + three.id() + " .drag-handle").query();
        Node target = robot.lookup("#cell-" + one.id()).query();
        robot.drag(handle).moveTo(target).moveBy(0, -20).drop();
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of("three", "one", "two"), sb().cells().stream().map(CellViewModel::getText).toList());
        robot.interact(studio::undo);
        assertEquals(List.of("one", "two", "three"), sb().cells().stream().map(CellViewModel::getText).toList());
    }

    @Test
    void aDamagedProjectShowsAnErrorAndChangesNothing(FxRobot robot) throws Exception {
        robot.interact(() -> sb().addText("my story"));
        robot.interact(() -> studio.project().saveAs(dir.resolve("mine.weft")));
        waitUntil(() -> !studio.project().isDirty(), 10);
        Path bad = dir.resolve("bad.weft");
        Files.writeString(bad, "PK not really a zip");
        dialogs.files.add(bad);
        robot.press(KeyCode.CONTROL).type(KeyCode.O).release(KeyCode.CONTROL);
        waitUntil(() -> !dialogs.shown.isEmpty(), 10);
        Notification n = dialogs.shown.get(0);
        assertEquals(Notification.Level.ERROR, n.level());
        assertTrue(n.message().contains("damaged"), n.message());
        assertEquals(List.of("my story"), sb().cells().stream().map(CellViewModel::getText).toList());
        assertEquals("Weft — mine.weft", stage.getTitle());
        assertEquals("PK not really a zip", Files.readString(bad));
    }

    @Test
    void aZipSlipProjectShowsAnErrorAndChangesNothing(FxRobot robot) throws Exception {
        robot.interact(() -> sb().addText("my story"));
        Path evil = dev.weft.app.project.ProjectFileTest.zipSlip(dir.resolve("evil.weft"));
        dialogs.saveChoices.add(dev.weft.app.common.Dialogs.SaveChoice.DISCARD); // "save changes first?"
        dialogs.files.add(evil);
        robot.press(KeyCode.CONTROL).type(KeyCode.O).release(KeyCode.CONTROL);
        waitUntil(() -> !dialogs.shown.isEmpty(), 10);
        Notification n = dialogs.shown.get(0);
        assertEquals(Notification.Level.ERROR, n.level());
        assertTrue(n.message().contains("points outside the project"), n.message());
        assertEquals(List.of("my story"), sb().cells().stream().map(CellViewModel::getText).toList());
        assertEquals("Weft — Untitled •", stage.getTitle(), "the unsaved story is still there");
        assertFalse(Files.exists(dir.resolve("../../evil.sh").normalize()), "nothing was extracted");
    }

    @Test
    void saveThenReopenFromTheMenusGivesTheSameStory(FxRobot robot) throws Exception {
        robot.clickOn("#add-text");
        robot.write("A red fox walks into the forest.");
        robot.interact(() -> {
            sb().addImages(List.of(dev.weft.app.project.ProjectFileTest.picture(3)));
            CellViewModel sketch = sb().addSketch();
            var p = sketch.getSketch().palette();
            sb().sketchOp(sketch, new dev.weft.app.sketch.SketchOp.Stroke(p.brushes().get(0).id(), 16, false,
                    new float[] {10, 10, 80, 90}));
            sb().editText(sketch, "a lake");
            sb().settings().stepsProperty().set(11);
        });
        robot.clickOn("#continue");
        waitUntil(() -> studio.jobQueue().runningProperty().get() == null && sb().cells().size() == 5
                && !sb().cells().get(4).isGenerating(), 60);
        Path file = dir.resolve("fox.weft");
        dialogs.files.add(file); // Save asks where, the first time
        robot.press(KeyCode.CONTROL).type(KeyCode.S).release(KeyCode.CONTROL);
        waitUntil(() -> !studio.project().isDirty(), 10);
        assertEquals("Weft — fox.weft", stage.getTitle());
        dev.weft.app.project.Project saved = WaitForAsyncUtils.asyncFx(() -> sb().toProject()).get(5,
                TimeUnit.SECONDS);

        robot.press(KeyCode.CONTROL).type(KeyCode.N).release(KeyCode.CONTROL);
        waitUntil(() -> sb().cells().isEmpty(), 10);
        assertEquals("Weft — Untitled", stage.getTitle());
        dialogs.files.add(file);
        robot.press(KeyCode.CONTROL).type(KeyCode.O).release(KeyCode.CONTROL);
        waitUntil(() -> sb().cells().size() == 5, 10);
        dev.weft.app.project.ProjectFileTest.assertSameProject(saved, WaitForAsyncUtils.asyncFx(
                () -> sb().toProject()).get(5, TimeUnit.SECONDS));
        assertEquals(11, sb().settings().stepsProperty().get());
        assertEquals("Weft — fox.weft", stage.getTitle());
        assertTrue(dialogs.shown.isEmpty(), () -> String.valueOf(dialogs.shown));
    }

    @Test
    void styleAReferenceFromTheStyleBoardAndUseAVariant(FxRobot robot) throws Exception {
        java.awt.image.BufferedImage reference = dev.weft.app.project.ProjectFileTest.picture(9);
        robot.interact(() -> sb().addImages(List.of(reference))); // selected: the board's reference
        robot.clickOn("Style board");
        robot.clickOn("#reference-from-story");
        assertEquals(reference, studio.styleBoard().referenceProperty().get());
        robot.clickOn("#style-text").write("a lighthouse at dusk");
        robot.interact(() -> studio.styleBoard().countProperty().set(2));
        robot.clickOn("#paint-variants");
        waitUntil(() -> studio.styleBoard().variants().size() == 2 && studio.styleBoard().variants().stream()
                .allMatch(v -> v.getImage() != null), 60);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(2, robot.lookup(".style-variant").queryAll().size(), "two variants side by side");
        Button use = robot.lookup(".use-variant").queryAllAs(Button.class).iterator().next();
        robot.clickOn(use);
        waitUntil(() -> sb().cells().size() == 2, 10);
        CellViewModel painted = sb().cells().get(1);
        assertEquals(studio.styleBoard().variants().get(0).getImage(), painted.getImage());
        assertEquals(dev.weft.app.project.Recipe.Mode.STYLE_TO_IMAGE, painted.getRecipe().mode());
        assertEquals("a lighthouse at dusk", painted.getRecipe().prompt());
        assertEquals(reference, painted.getRecipe().reference());
        assertTrue(robot.lookup("#cell-" + painted.id()).query().isVisible(), "back on the storyboard");
    }

    @Test
    void workLeftByACrashIsOfferedAtStart(FxRobot robot) throws Exception {
        // a session that died (id 99) left its autosave behind
        dev.weft.app.project.Project lost = new dev.weft.app.project.Project(List.of(
                new dev.weft.app.project.CellData("x1", dev.weft.app.project.CellKind.TEXT, "saved by autosave",
                        null, null, List.of())), null);
        new Recovery(dir.resolve("config/recovery"), 99, p -> false).save(lost, null);
        dialogs.confirmations.add(true);
        robot.interact(view::afterShown);
        waitUntil(() -> sb().cells().size() == 1, 10);
        assertEquals(List.of("Recover unsaved work?"), dialogs.asked);
        assertEquals("saved by autosave", sb().cells().get(0).getText());
        assertTrue(stage.getTitle().endsWith("•"), "recovered work is unsaved");
    }

    @Test
    void closingWithUnsavedChangesAsks(FxRobot robot) {
        robot.interact(() -> sb().addText("unsaved"));
        dialogs.saveChoices.add(dev.weft.app.common.Dialogs.SaveChoice.CANCEL);
        robot.interact(view::requestClose);
        assertTrue(stage.isShowing(), "Cancel keeps the window open");
        assertEquals(List.of("save changes to Untitled"), dialogs.asked);
        Path target = dir.resolve("kept.weft");
        dialogs.saveChoices.add(dev.weft.app.common.Dialogs.SaveChoice.SAVE);
        dialogs.files.add(target);
        robot.interact(view::requestClose);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(Files.isRegularFile(target), "saved before closing");
        assertFalse(stage.isShowing());
    }

    @Test
    void drawOnASketchThenPaintIt(FxRobot robot) throws Exception {
        robot.clickOn("#add-sketch");
        CellViewModel sketch = sb().cells().get(0);
        Node canvas = robot.lookup("#cell-" + sketch.id() + " .sketch-canvas").query();
        robot.drag(canvas).moveBy(60, 10).moveBy(40, 30).drop();
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, sketch.getSketch().ops().size(), "press, drag, release: one stroke");
        robot.clickOn("#cell-" + sketch.id() + " .sketch-tool-fill");
        robot.clickOn(canvas);
        assertEquals(2, sketch.getSketch().ops().size());
        robot.clickOn("#cell-" + sketch.id() + " .sketch-caption").write("a lake");
        robot.press(KeyCode.CONTROL).type(KeyCode.Z).release(KeyCode.CONTROL);
        assertEquals("", sketch.getText());
        robot.press(KeyCode.CONTROL).type(KeyCode.Z).release(KeyCode.CONTROL);
        assertEquals(1, sketch.getSketch().ops().size(), "undo takes back one action at a time");
        robot.press(KeyCode.CONTROL, KeyCode.SHIFT).type(KeyCode.Z).release(KeyCode.SHIFT, KeyCode.CONTROL);
        assertEquals(2, sketch.getSketch().ops().size(), "redo");
        robot.clickOn("#cell-" + sketch.id() + " .sketch-paint");
        waitUntil(() -> sb().cells().size() == 2 && sb().cells().get(1).getImage() != null
                && !sb().cells().get(1).isGenerating(), 60);
        screenshot(robot, "sketch");
    }

    @Test
    void darkTheme(FxRobot robot) {
        robot.interact(() -> {
            sb().addText("A quiet night.");
            studio.theme().darkProperty().set(true);
        });
        assertTrue(stage.getScene().getRoot().getPseudoClassStates().stream()
                .anyMatch(p -> p.getPseudoClassName().equals("dark")));
        screenshot(robot, "dark");
    }

    @Test
    void aPicturesContextMenuSavesItWithItsRecipeAndCancelAllEmptiesTheQueue(FxRobot robot) throws Exception {
        robot.interact(() -> {
            sb().addText("A fox.");
            sb().continueStory();
        });
        waitUntil(() -> studio.jobQueue().runningProperty().get() == null && sb().cells().size() == 3
                && sb().cells().get(2).getImage() != null && !sb().cells().get(2).isGenerating(), 60);
        CellViewModel pic = sb().cells().get(2);
        Path target = dir.resolve("fox.png");
        dialogs.files.add(target);
        // Monocle's headless robot sends no context-menu request for a right click: send the one a click makes
        Node image = robot.lookup("#cell-" + pic.id() + " .cell-image").query();
        robot.interact(() -> {
            var b = image.localToScreen(image.getBoundsInLocal());
            javafx.event.Event.fireEvent(image, new javafx.scene.input.ContextMenuEvent(
                    javafx.scene.input.ContextMenuEvent.CONTEXT_MENU_REQUESTED, 20, 20, b.getMinX() + 20,
                    b.getMinY() + 20, false, null));
        });
        robot.clickOn("Save Picture As…");
        waitUntil(() -> Files.isRegularFile(target), 10);
        assertTrue(dev.weft.app.export.PictureFiles.text(target).get(dev.weft.app.export.PictureFiles.RECIPE_KEY)
                .contains("\"seed\":" + pic.getRecipe().seed()));

        robot.interact(() -> {
            sb().settings().stepsProperty().set(400);
            sb().continueStory();
            sb().continueStory();
        });
        robot.clickOn("#cancel-all");
        waitUntil(() -> studio.jobQueue().runningProperty().get() == null
                && studio.jobQueue().waitingProperty().get() == 0, 30);
        assertTrue(studio.queue().jobs().stream().limit(2).allMatch(j -> j.getStatus() == JobStatus.CANCELLED));
    }

    /** Writes a PNG of the window when -Dweft.screenshots=DIR is set (for looking at the UI). */
    private void screenshot(FxRobot robot, String name) {
        String out = System.getProperty("weft.screenshots");
        if (out == null) {
            return;
        }
        robot.interact(() -> {
            try {
                var img = stage.getScene().snapshot(null);
                Files.createDirectories(Path.of(out));
                ImageIO.write(dev.weft.app.common.FxImages.fromFx(img), "png", Path.of(out, name + ".png").toFile());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
