package dev.weft.app.style;

import dev.weft.app.common.FxImages;
import dev.weft.app.common.ImageFiles;
import dev.weft.app.common.Notification;
import dev.weft.app.common.Notifier;
import dev.weft.app.common.UiThread;
import dev.weft.app.project.Recipe;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.queue.JobQueue;
import dev.weft.app.queue.JobStatus;
import dev.weft.app.service.EngineService;
import dev.weft.app.storyboard.CellViewModel;
import dev.weft.app.storyboard.GenerationSettings;
import dev.weft.app.storyboard.StoryboardViewModel;
import dev.weft.engine.Engine;
import dev.weft.engine.pipeline.SamplingOptions;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.image.Image;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * The style board: a reference picture and a text, painted as N variants (one queue job each, seeds in a row)
 * side by side; the one the user picks goes into the story after the selected cell, with a recipe that keeps the
 * reference so it can be regenerated. Uses the storyboard's steps, guidance and sampler.
 */
public final class StyleBoardViewModel {
    private final StoryboardViewModel story;
    private final EngineService engine;
    private final JobQueue queue;
    private final Notifier notifier;
    private final Executor io;
    private final UiThread ui;
    private final LongSupplier seeds;
    private final ReadOnlyObjectWrapper<BufferedImage> reference = new ReadOnlyObjectWrapper<>(this, "reference");
    private final ObjectProperty<Image> referenceFx = new SimpleObjectProperty<>(this, "referenceFx");
    private final StringProperty text = new SimpleStringProperty(this, "text", "");
    private final IntegerProperty count = new SimpleIntegerProperty(this, "count", 4);
    private final ObservableList<Variant> variants = FXCollections.observableArrayList();

    /** One painted variant. */
    public static final class Variant {
        private final long seed;
        private final ObjectProperty<BufferedImage> image = new SimpleObjectProperty<>(this, "image");
        private final ObjectProperty<Image> shown = new SimpleObjectProperty<>(this, "shown");
        private final DoubleProperty progress = new SimpleDoubleProperty(this, "progress", -1);
        private final ObjectProperty<JobStatus> status = new SimpleObjectProperty<>(this, "status",
                JobStatus.QUEUED);
        private Recipe recipe;
        private GenerationJob job;

        Variant(long seed) {
            this.seed = seed;
            image.addListener((o, a, b) -> shown.set(b == null ? null : FxImages.toFx(b)));
        }

        public long seed() {
            return seed;
        }

        public BufferedImage getImage() {
            return image.get();
        }

        /** The preview while painting, then the picture. */
        public ObjectProperty<Image> shownProperty() {
            return shown;
        }

        public DoubleProperty progressProperty() {
            return progress;
        }

        public ObjectProperty<JobStatus> statusProperty() {
            return status;
        }

        public GenerationJob job() {
            return job;
        }
    }

    public StyleBoardViewModel(StoryboardViewModel story, EngineService engine, JobQueue queue, Notifier notifier,
                               Executor io, UiThread ui, LongSupplier seeds) {
        this.story = story;
        this.engine = engine;
        this.queue = queue;
        this.notifier = notifier;
        this.io = io;
        this.ui = ui;
        this.seeds = seeds;
        reference.addListener((o, a, b) -> referenceFx.set(b == null ? null : FxImages.toFx(b)));
    }

    public ReadOnlyObjectProperty<BufferedImage> referenceProperty() {
        return reference.getReadOnlyProperty();
    }

    public ObjectProperty<Image> referenceImageProperty() {
        return referenceFx;
    }

    public void setReference(BufferedImage img) {
        reference.set(img);
    }

    /** Reads a reference picture on the I/O executor. */
    public void loadReference(Path file) {
        io.execute(() -> {
            try {
                BufferedImage img = ImageFiles.read(file);
                ui.post(() -> reference.set(img));
            } catch (ImageFiles.ImageRejectedException e) {
                ui.post(() -> notifier.publish(Notification.warning("Cannot use this reference", e.getMessage())));
            }
        });
    }

    /** Uses the selected picture cell of the story as the reference. */
    public void referenceFromSelection() {
        CellViewModel c = story.getSelected();
        if (c != null && c.getImage() != null) {
            reference.set(c.getImage());
        } else {
            notifier.publish(Notification.info("No picture selected", "Select a picture in the story first."));
        }
    }

    public StringProperty textProperty() {
        return text;
    }

    public IntegerProperty countProperty() {
        return count;
    }

    public ObservableList<Variant> variants() {
        return variants;
    }

    /** Paints {@code count} variants (cancelling unfinished ones from before). Returns their jobs. */
    public List<GenerationJob> paint() {
        if (reference.get() == null) {
            notifier.publish(Notification.info("No reference", "Choose a reference picture first."));
            return List.of();
        }
        if (text.get() == null || text.get().isBlank()) {
            notifier.publish(Notification.info("No text", "Describe what to paint in the reference's style."));
            return List.of();
        }
        for (Variant v : variants) {
            if (v.job != null && !v.job.getStatus().isFinished()) {
                queue.cancel(v.job);
            }
        }
        variants.clear();
        BufferedImage ref = reference.get();
        String prompt = text.get().strip();
        GenerationSettings s = story.settings();
        long base = s.randomSeedProperty().get() ? seeds.getAsLong() : s.seedProperty().get();
        int n = Math.max(1, count.get());
        List<GenerationJob> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Variant v = new Variant(base + i);
            variants.add(v);
            SamplingOptions o = SamplingOptions.defaults().withSeed(v.seed).withSteps(s.stepsProperty().get())
                    .withGuidance((float) s.guidanceProperty().get()).withScheduler(s.schedulerProperty().get());
            v.recipe = new Recipe(Recipe.Mode.STYLE_TO_IMAGE, List.of(), "style reference", prompt, o.seed(),
                    o.steps(), o.guidance(), o.scheduler().name(), o.maxNewTokens(), engine.modelId(),
                    System.currentTimeMillis(), ref);
            v.job = queue.submit("Style variant " + (i + 1) + " of " + n + " (seed " + v.seed + ")",
                    new GenerationJob.Spec<BufferedImage>() {
                        @Override
                        public GenerationJob.Work<BufferedImage> start() {
                            v.status.set(JobStatus.RUNNING);
                            Engine e = engine.engine();
                            return (l, c) -> e.styleToImage(ref, prompt, o, l, c);
                        }

                        @Override
                        public void preview(int step, int total, Image preview) {
                            v.progress.set(step / (double) total);
                            if (preview != null) {
                                v.shown.set(preview);
                            }
                        }

                        @Override
                        public void succeeded(BufferedImage result) {
                            v.image.set(result);
                        }

                        @Override
                        public void finished(JobStatus status) {
                            v.status.set(status);
                            v.progress.set(status == JobStatus.SUCCEEDED ? 1 : 0);
                        }
                    });
            jobs.add(v.job);
        }
        return jobs;
    }

    /** Puts a finished variant into the story after the selected cell (one undo step). */
    public CellViewModel pick(Variant v) {
        if (v.getImage() == null) {
            return null;
        }
        return story.insertGenerated(v.getImage(), v.recipe);
    }
}
