package dev.weft.app.storyboard;

import dev.weft.app.common.FxImages;
import dev.weft.app.common.UiThread;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.queue.JobQueue;
import dev.weft.app.queue.JobStatus;
import dev.weft.app.service.EngineService;
import dev.weft.app.sketch.Sketch;
import dev.weft.app.sketch.SketchRasterizer;
import dev.weft.app.sketch.SketchTools;
import dev.weft.engine.Engine;
import dev.weft.engine.diffusion.schedulers.SchedulerKind;
import dev.weft.engine.pipeline.SamplingOptions;
import javafx.beans.value.ChangeListener;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.scene.image.Image;

import java.awt.image.BufferedImage;
import java.util.HashMap;
import java.util.Map;

/**
 * Live preview of sketches: while {@link SketchTools#liveProperty() Live} is on, each change to a sketch (a stroke,
 * a fill, an undo, the caption) schedules, after a short pause, a quick segment-to-image job (DPM++ 2M, few steps, the
 * storyboard's seed so that only the sketch changes the picture). A newer preview supersedes one still waiting in
 * the queue; a running one finishes. Preview jobs are quiet (they leave the queue list when done), their pictures go
 * to the cell's {@link CellViewModel#livePreviewProperty()} and never into the story or the undo history.
 */
final class LivePreviews {
    /** Pause after the last change before a preview is queued. */
    static final long DELAY_MS = 350;
    /** Denoising steps of a preview (DPM++ 2M holds up at few steps). */
    static final int STEPS = 6;
    static final SchedulerKind SAMPLER = SchedulerKind.DPM_SOLVER_PP_2M;

    private final EngineService engine;
    private final JobQueue queue;
    private final UiThread ui;
    private final SketchTools tools;
    private final GenerationSettings settings;
    private final Map<CellViewModel, Runnable> debounce = new HashMap<>();
    private final Map<CellViewModel, GenerationJob> waiting = new HashMap<>();
    private final ObservableList<CellViewModel> cells;

    LivePreviews(EngineService engine, JobQueue queue, UiThread ui, SketchTools tools, GenerationSettings settings,
                 ObservableList<CellViewModel> cells) {
        this.engine = engine;
        this.queue = queue;
        this.ui = ui;
        this.tools = tools;
        this.settings = settings;
        // any change of a sketch or its caption (drawn, undone, redone, restored) makes a new preview
        this.cells = cells;
        Map<CellViewModel, ChangeListener<Object>> listeners = new HashMap<>();
        cells.addListener((ListChangeListener<CellViewModel>) ch -> {
            while (ch.next()) {
                for (CellViewModel c : ch.getRemoved()) {
                    ChangeListener<Object> l = listeners.remove(c);
                    if (l != null) {
                        c.sketchProperty().removeListener(l);
                        c.textProperty().removeListener(l);
                    }
                }
                for (CellViewModel c : ch.getAddedSubList()) {
                    if (c.isSketch() && !listeners.containsKey(c)) {
                        ChangeListener<Object> l = (o, a, b) -> changed(c);
                        listeners.put(c, l);
                        c.sketchProperty().addListener(l);
                        c.textProperty().addListener(l);
                    }
                }
            }
        });
    }

    /** The sketch changed: queue a preview after the pause (when Live is on). */
    void changed(CellViewModel sketch) {
        if (!tools.liveProperty().get() || !sketch.isSketch()) {
            return;
        }
        Runnable cancel = debounce.remove(sketch);
        if (cancel != null) {
            cancel.run();
        }
        debounce.put(sketch, ui.postLater(DELAY_MS, () -> {
            debounce.remove(sketch);
            preview(sketch);
        }));
    }

    /** Queues a preview of the sketch now, superseding one of it still waiting; null when there is nothing to do. */
    GenerationJob preview(CellViewModel sketch) {
        GenerationJob old = waiting.remove(sketch);
        if (old != null && old.getStatus() == JobStatus.QUEUED) {
            queue.cancel(old);
        }
        if (!cells.contains(sketch)) {
            return null; // deleted during the pause
        }
        if (sketch.getSketch() == null || sketch.getSketch().isBlank()) {
            sketch.setLivePreview(null);
            sketch.setLiveStatus("");
            return null;
        }
        if (!engine.isReady()) {
            sketch.setLiveStatus("waiting for the model");
        }
        SamplingOptions o = SamplingOptions.defaults().withSeed(settings.seedProperty().get()).withSteps(STEPS)
                .withGuidance((float) settings.guidanceProperty().get()).withScheduler(SAMPLER);
        GenerationJob job = queue.submit("Live preview", new GenerationJob.Spec<BufferedImage>() {
            @Override
            public GenerationJob.Work<BufferedImage> start() {
                // the sketch as it is when the preview starts
                Sketch s = sketch.getSketch();
                BufferedImage map = SketchRasterizer.rasterize(s);
                String caption = sketch.getText();
                Engine e = engine.engine();
                sketch.setLiveStatus("painting…");
                return (l, c) -> e.segmentToImage(map, caption, o, l, c);
            }

            @Override
            public void preview(int step, int total, Image image) {
                sketch.setLiveStatus("step " + step + " of " + total);
            }

            @Override
            public void succeeded(BufferedImage result) {
                sketch.setLivePreview(FxImages.toFx(result));
            }

            @Override
            public void finished(JobStatus status) {
                if (waiting.get(sketch) != null && waiting.get(sketch).getStatus().isFinished()) {
                    waiting.remove(sketch);
                }
                if (status == JobStatus.SUCCEEDED || status == JobStatus.CANCELLED) {
                    if (!waiting.containsKey(sketch)) {
                        sketch.setLiveStatus("");
                    }
                } else {
                    sketch.setLiveStatus("preview failed (the queue says why)");
                }
            }
        }, true);
        if (!job.getStatus().isFinished()) {
            waiting.put(sketch, job);
        }
        return job;
    }

    /** Live was switched on: preview the selected sketch. */
    void switchedOn(CellViewModel selected) {
        if (selected != null && selected.isSketch()) {
            preview(selected);
        }
    }
}
