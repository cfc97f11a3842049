package dev.weft.app.storyboard;

import dev.weft.app.StudioViewModel;
import dev.weft.app.common.UiThread;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.queue.JobStatus;
import dev.weft.app.service.EngineService;
import dev.weft.app.sketch.SegmentationPalette;
import dev.weft.app.sketch.SketchOp;
import dev.weft.app.testing.Fx;
import dev.weft.app.testing.ManualExecutor;
import dev.weft.app.testing.TinyEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live preview on the tiny engine: debounced after each change, a quick DPM++ job whose picture goes beside the
 * sketch (never into the story), newer previews replace waiting ones, and the queue list forgets them.
 */
class LivePreviewTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    /** A UI thread on the test thread whose delayed work waits until the test fires it. */
    static final class Timers implements UiThread {
        final List<Runnable> delayed = new ArrayList<>();
        final List<Long> delays = new ArrayList<>();

        @Override
        public void post(Runnable r) {
            r.run();
        }

        @Override
        public Runnable postLater(long millis, Runnable r) {
            delays.add(millis);
            delayed.add(r);
            return () -> delayed.remove(r);
        }

        void fire() {
            List<Runnable> l = new ArrayList<>(delayed);
            delayed.clear();
            l.forEach(Runnable::run);
        }
    }

    private static SketchOp stroke(StoryboardViewModel sb, CellViewModel sketch, float y) {
        return sb.sketchTools().stroke(new float[] {0, y, 255, y}, sketch.getSketch().palette());
    }

    @Test
    void eachChangeMakesAQuickPreviewAfterAPauseAndNothingEntersTheStory() {
        Timers ui = new Timers();
        ManualExecutor generation = new ManualExecutor();
        StudioViewModel s = StudioViewModel.builder().ui(ui).generation(generation).io(Runnable::run)
                .engine(EngineService.of(TinyEngine.get(), ui)).configDir(dir).previewIntervalMillis(0).build();
        StoryboardViewModel sb = s.storyboard();
        CellViewModel sketch = sb.addSketch();
        sb.sketchOp(sketch, stroke(sb, sketch, 40));
        assertTrue(ui.delayed.isEmpty(), "Live is off");

        sb.sketchTools().liveProperty().set(true);
        assertEquals(1, generation.pending(), "switching Live on previews the selected sketch");
        generation.runAll();
        assertNotNull(sketch.livePreviewProperty().get());
        int steps = s.undoManager().undoCount();

        sb.sketchOp(sketch, stroke(sb, sketch, 80));
        sb.sketchOp(sketch, stroke(sb, sketch, 120));
        sb.editText(sketch, "a boat on the sea");
        assertEquals(1, ui.delayed.size(), "one pending preview for a burst of changes");
        assertEquals(LivePreviews.DELAY_MS, ui.delays.get(ui.delays.size() - 1));
        assertEquals(0, generation.pending(), "nothing runs during the pause");
        ui.fire();
        assertEquals(1, generation.pending());
        GenerationJob job = s.jobQueue().jobs().get(0);
        assertEquals("Live preview", job.title());
        assertTrue(job.isQuiet());
        generation.runAll();
        assertEquals(JobStatus.SUCCEEDED, job.getStatus(), () -> String.valueOf(job.getError()));
        assertFalse(s.jobQueue().jobs().contains(job), "done previews leave the queue list");
        assertEquals(1, sb.cells().size(), "the preview stays beside the sketch");
        assertEquals(steps + 3, s.undoManager().undoCount(), "previews are not edits");
        assertEquals("", sketch.liveStatusProperty().get());

        // undo is a change too
        s.undo();
        assertEquals(1, ui.delayed.size());
        // clearing the sketch clears the preview, with no job
        ui.fire();
        generation.runAll();
        sb.sketchOp(sketch, new SketchOp.Clear());
        ui.fire();
        assertEquals(0, generation.pending());
        assertNull(sketch.livePreviewProperty().get());
    }

    @Test
    void aNewerPreviewReplacesOneStillWaitingAndUsesAFewStepSampler() {
        UiThread ui = UiThread.direct();
        ManualExecutor generation = new ManualExecutor();
        StudioViewModel s = StudioViewModel.builder().ui(ui).generation(generation).io(Runnable::run)
                .engine(EngineService.of(TinyEngine.get(), ui)).configDir(dir).previewIntervalMillis(0).build();
        StoryboardViewModel sb = s.storyboard();
        CellViewModel sketch = sb.addSketch();
        sb.sketchOp(sketch, stroke(sb, sketch, 40));
        GenerationJob running = sb.livePreview(sketch);
        GenerationJob waiting = sb.livePreview(sketch);
        assertEquals(JobStatus.RUNNING, running.getStatus());
        assertEquals(JobStatus.QUEUED, waiting.getStatus());
        GenerationJob newest = sb.livePreview(sketch);
        assertEquals(JobStatus.CANCELLED, waiting.getStatus(), "superseded while waiting");
        assertEquals(JobStatus.RUNNING, running.getStatus(), "the running one finishes");
        List<String> steps = new ArrayList<>();
        running.messageProperty().addListener((o, a, b) -> steps.add(b));
        generation.runAll();
        assertEquals(JobStatus.SUCCEEDED, running.getStatus());
        assertEquals(JobStatus.SUCCEEDED, newest.getStatus());
        assertTrue(steps.contains("painting · step " + LivePreviews.STEPS + " of " + LivePreviews.STEPS), steps
                .toString());
        assertTrue(s.jobQueue().jobs().isEmpty());
        assertNotNull(sketch.livePreviewProperty().get());
    }

    @Test
    void aSketchFollowsTheModelsClassesUntilSomethingIsDrawn() {
        StudioViewModel s = StudioViewModel.builder().ui(UiThread.direct()).generation(Runnable::run)
                .io(Runnable::run).engine(new EngineService(Runnable::run, UiThread.direct(),
                        (d, dev, p) -> TinyEngine.get(), false)).configDir(dir).build();
        StoryboardViewModel sb = s.storyboard();
        CellViewModel blank = sb.addSketch();
        CellViewModel drawn = sb.addSketch();
        assertEquals("ADE20K", blank.getSketch().palette().name(), "no model yet");
        sb.sketchOp(drawn, stroke(sb, drawn, 10));
        s.engine().load(TinyEngine.DIR, ai.djl.Device.cpu());
        SegmentationPalette world = s.engine().palette();
        assertEquals("tiny", world.name());
        assertEquals(world, blank.getSketch().palette(), "nothing drawn: the model's classes");
        assertEquals("ADE20K", drawn.getSketch().palette().name(), "drawn: keeps the classes it was drawn in");
        sb.paintFromSketch(drawn);
        assertEquals("Other classes", s.notifier().last().title());
    }
}
