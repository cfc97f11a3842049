package dev.weft.app.storyboard;

import dev.weft.app.StudioViewModel;
import dev.weft.app.common.UiThread;
import dev.weft.app.history.UndoManager;
import dev.weft.app.project.Recipe;
import dev.weft.app.service.EngineService;
import dev.weft.app.testing.Fx;
import dev.weft.app.testing.TinyEngine;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.queue.JobStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Storyboard editing with undo/redo, and Continue / regenerate / restore on the real tiny engine. */
class StoryboardViewModelTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    /** Everything on the test thread: jobs run synchronously inside submit. */
    private StudioViewModel studio(EngineService engine) {
        AtomicLong seeds = new AtomicLong(100);
        return StudioViewModel.builder().ui(UiThread.direct()).generation(Runnable::run).io(Runnable::run)
                .engine(engine).configDir(dir).seeds(seeds::incrementAndGet).previewIntervalMillis(0).build();
    }

    private StudioViewModel offline() {
        return studio(new EngineService(Runnable::run, UiThread.direct()));
    }

    static BufferedImage picture(int rgb) {
        BufferedImage b = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                b.setRGB(x, y, rgb + x * 16 + y);
            }
        }
        return b;
    }

    private static List<String> texts(StoryboardViewModel sb) {
        return sb.cells().stream().map(c -> c.isText() ? c.getText() : "[img]").toList();
    }

    @Test
    void addEditMoveDeleteDuplicateAndUndoEachStep() {
        StudioViewModel s = offline();
        StoryboardViewModel sb = s.storyboard();
        UndoManager undo = s.undoManager();
        CellViewModel a = sb.addText("Once");
        sb.editText(a, "Once upon");
        sb.editText(a, "Once upon a time");
        CellViewModel img = sb.addImages(List.of(picture(0x102030))).get(0);
        CellViewModel b = sb.addText("The end");
        assertEquals(List.of("Once upon a time", "[img]", "The end"), texts(sb));
        assertEquals(4, undo.undoCount(), "typing in one cell merged into one step");

        sb.move(b, 0);
        assertEquals(List.of("The end", "Once upon a time", "[img]"), texts(sb));
        CellViewModel d = sb.duplicate(img);
        assertEquals(4, sb.cells().size());
        assertSame(img.getImage(), d.getImage());
        sb.delete(a);
        assertEquals(List.of("The end", "[img]", "[img]"), texts(sb));
        assertTrue(s.project().isDirty());

        s.undo(); // delete
        assertEquals(List.of("The end", "Once upon a time", "[img]", "[img]"), texts(sb));
        s.undo(); // duplicate
        s.undo(); // move
        assertEquals(List.of("Once upon a time", "[img]", "The end"), texts(sb));
        s.undo(); // add "The end"
        s.undo(); // add picture
        s.undo(); // typing
        assertEquals(List.of("Once"), texts(sb));
        s.undo(); // add text
        assertEquals(List.of(), texts(sb));
        assertFalse(s.project().isDirty(), "back where we started");
        for (int i = 0; i < 7; i++) {
            s.redo();
        }
        assertEquals(List.of("The end", "[img]", "[img]"), texts(sb));
    }

    @Test
    void typingInAnotherCellOrAfterSelectionChangeIsANewStep() {
        StudioViewModel s = offline();
        StoryboardViewModel sb = s.storyboard();
        CellViewModel a = sb.addText("");
        CellViewModel b = sb.addText("");
        sb.editText(a, "a");
        sb.editText(a, "ab");
        sb.editText(b, "x");
        sb.select(a);
        sb.editText(a, "abc");
        s.undo();
        assertEquals("ab", a.getText());
        s.undo();
        assertEquals("", b.getText());
        s.undo();
        assertEquals("", a.getText());
    }

    @Test
    void moveSelectedWithKeyboardAndZoomLimits() {
        StoryboardViewModel sb = offline().storyboard();
        CellViewModel a = sb.addText("a");
        sb.addText("b");
        sb.select(a);
        sb.moveSelected(+1);
        assertEquals("a", sb.cells().get(1).getText());
        sb.moveSelected(+1);
        assertEquals("a", sb.cells().get(1).getText(), "already last");
        for (int i = 0; i < 20; i++) {
            sb.zoomIn();
        }
        assertEquals(StoryboardViewModel.MAX_ZOOM, sb.zoomProperty().get(), 1e-9);
        sb.zoomReset();
        assertEquals(1, sb.zoomProperty().get(), 1e-9);
    }

    /** A 1x1 lossy WebP (TwelveMonkeys reads WebP but cannot write it). */
    static final String WEBP = "UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA";

    @Test
    void importPngJpegTiffWebpAsOneStepAndNameTheFileThatFails() throws Exception {
        StudioViewModel s = offline();
        StoryboardViewModel sb = s.storyboard();
        CellViewModel a = sb.addText("before");
        sb.addText("after");
        List<Path> files = new java.util.ArrayList<>();
        for (String fmt : List.of("png", "jpeg", "tiff")) {
            Path f = dir.resolve("pic." + fmt);
            assertTrue(javax.imageio.ImageIO.write(picture(0x405060), fmt, f.toFile()), fmt);
            files.add(f);
        }
        Path webp = dir.resolve("pic.webp");
        java.nio.file.Files.write(webp, java.util.Base64.getDecoder().decode(WEBP));
        files.add(webp);
        Path fake = dir.resolve("notes.png");
        java.nio.file.Files.writeString(fake, "not a picture");
        files.add(fake);
        int steps = s.undoManager().undoCount();
        sb.importImages(files, 1);
        assertEquals(List.of("before", "[img]", "[img]", "[img]", "[img]", "after"), texts(sb));
        assertEquals(8, sb.cells().get(1).getImage().getWidth());
        assertEquals(1, sb.cells().get(4).getImage().getWidth(), "the WebP");
        assertEquals(steps + 1, s.undoManager().undoCount());
        assertTrue(s.notifier().last().message().contains("notes.png"), s.notifier().last().message());
        s.undo();
        assertEquals(List.of("before", "after"), texts(sb));
        assertSame(a, sb.cells().get(0));
    }

    @Test
    void continueWithNothingWrittenOnlyNotifies() {
        StudioViewModel s = offline();
        s.storyboard().addText("   ");
        assertNull(s.storyboard().continueStory());
        assertEquals("Nothing to continue", s.notifier().last().title());
    }

    @Test
    void continueTheStoryWithTheTinyEngine() {
        StudioViewModel s = studio(EngineService.of(TinyEngine.get(), UiThread.direct()));
        StoryboardViewModel sb = s.storyboard();
        TinyEngine.fast(sb.settings());
        CellViewModel start = sb.addText("A red fox walks into the forest.");
        int before = s.undoManager().undoCount();

        GenerationJob job = sb.continueStory();
        assertEquals(JobStatus.SUCCEEDED, job.getStatus(), () -> String.valueOf(job.getError()));
        assertEquals(3, sb.cells().size(), () -> texts(sb).toString());
        CellViewModel text = sb.cells().get(1);
        CellViewModel pic = sb.cells().get(2);
        assertTrue(text.isText() && !text.getText().isBlank(), "a new text cell with the words written");
        assertFalse(pic.isText());
        assertNotNull(pic.getImage(), "a new picture cell with the final picture");
        assertEquals(64, pic.getImage().getWidth());
        assertFalse(text.isPlaceholder() || pic.isPlaceholder() || pic.isGenerating());
        Recipe r = pic.getRecipe();
        assertEquals(Recipe.Mode.CONTINUE, r.mode());
        assertEquals(List.of(start.id()), r.contextCellIds());
        assertEquals(7, r.seed());
        assertEquals(3, r.steps());
        assertEquals("tiny", r.modelId());
        assertEquals("A red fox walks into the forest.", r.prompt());
        assertSame(pic, sb.getSelected(), "the selection follows the story, so Continue again goes on");
        assertEquals(before + 1, s.undoManager().undoCount(), "one Continue is one undo step");

        s.undo();
        assertEquals(1, sb.cells().size());
        s.redo();
        assertEquals(List.of(start, text, pic), sb.cells());

        // the same seed and context make the same picture; regenerate keeps the old one as a version
        int[] first = pixels(pic.getImage());
        GenerationJob again = sb.varySeed(pic);
        assertEquals(JobStatus.SUCCEEDED, again.getStatus(), () -> String.valueOf(again.getError()));
        assertEquals(1, pic.history().size());
        assertTrue(Arrays.equals(first, pixels(pic.history().get(0).image())));
        assertFalse(Arrays.equals(first, pixels(pic.getImage())), "another seed, another picture");
        assertEquals(101, pic.getRecipe().seed());
        sb.restore(pic, pic.history().get(0));
        assertTrue(Arrays.equals(first, pixels(pic.getImage())));
        assertEquals(7, pic.getRecipe().seed());
        s.undo();
        assertEquals(101, pic.getRecipe().seed());
        s.undo();
        assertEquals(0, pic.history().size());
        assertTrue(Arrays.equals(first, pixels(pic.getImage())));

        GenerationJob rewrite = sb.regenerate(text);
        assertEquals(JobStatus.SUCCEEDED, rewrite.getStatus(), () -> String.valueOf(rewrite.getError()));
        assertEquals(1, text.history().size());
    }

    @Test
    void cancellingARunningContinueKeepsTheWrittenTextAndDropsTheUnfinishedPicture() {
        StudioViewModel s = studio(EngineService.of(TinyEngine.get(), UiThread.direct()));
        StoryboardViewModel sb = s.storyboard();
        TinyEngine.fast(sb.settings());
        sb.settings().stepsProperty().set(40);
        CellViewModel start = sb.addText("A red fox walks into the forest.");
        int before = s.undoManager().undoCount();
        // the user presses Cancel while the picture is being painted (a fifth of the way)
        double[] cancelledAt = {-1};
        sb.cells().addListener((javafx.collections.ListChangeListener<CellViewModel>) ch -> {
            while (ch.next()) {
                for (CellViewModel c : ch.getAddedSubList()) {
                    c.progressProperty().addListener((o, a, p) -> {
                        if (!c.isText() && p.doubleValue() >= 0.2 && cancelledAt[0] < 0) {
                            cancelledAt[0] = p.doubleValue();
                            s.jobQueue().cancel(s.jobQueue().runningProperty().get());
                        }
                    });
                }
            }
        });
        GenerationJob job = sb.continueStory();
        assertEquals(JobStatus.CANCELLED, job.getStatus(), () -> String.valueOf(job.getError()));
        assertTrue(cancelledAt[0] >= 0.2 && cancelledAt[0] < 1, "cancelled while painting: " + cancelledAt[0]);
        assertEquals(2, sb.cells().size(), () -> texts(sb).toString());
        CellViewModel text = sb.cells().get(1);
        assertTrue(text.isText() && !text.getText().isBlank(), "the written text is kept");
        assertFalse(text.isGenerating() || text.isPlaceholder());
        assertEquals(before + 1, s.undoManager().undoCount(), "what was kept is one undo step");
        s.undo();
        assertEquals(List.of(start), sb.cells());
        assertNull(s.jobQueue().runningProperty().get());

        GenerationJob next = sb.continueStory();
        assertEquals(JobStatus.SUCCEEDED, next.getStatus(), "the queue goes on after a cancel");
    }

    @Test
    void listenersOnACellsVersionsHearEveryChange() {
        StudioViewModel s = offline();
        StoryboardViewModel sb = s.storyboard();
        Recipe r = new Recipe(Recipe.Mode.CONTINUE, List.of(), "1 text cell, 0 pictures", "Once", 7, 3, 1f, "DDIM",
                6, "tiny", 1234);
        sb.load(new dev.weft.app.project.Project(List.of(new dev.weft.app.project.CellData("i1",
                dev.weft.app.project.CellKind.IMAGE, "", picture(0x101010), r,
                List.of(new dev.weft.app.project.Version("", picture(0x202020), r.withSeed(6))))), null));
        CellViewModel c = sb.cells().get(0);
        java.util.concurrent.atomic.AtomicInteger changes = new java.util.concurrent.atomic.AtomicInteger();
        // as the inspector does: it keeps the cell, not the list it listens to
        c.history().addListener((javafx.collections.ListChangeListener<dev.weft.app.project.Version>) ch ->
                changes.incrementAndGet());
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        sb.restore(c, c.history().get(0));
        assertEquals(6, c.getRecipe().seed());
        assertEquals(1, changes.get(), "the restored version left the list, the current one joined it");
        assertSame(c.history(), c.history());
    }

    static int[] pixels(BufferedImage b) {
        return b.getRGB(0, 0, b.getWidth(), b.getHeight(), null, 0, b.getWidth());
    }
}
