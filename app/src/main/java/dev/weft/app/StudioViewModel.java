package dev.weft.app;

import dev.weft.app.common.Notification;
import dev.weft.app.common.Notifier;
import dev.weft.app.common.UiThread;
import dev.weft.app.export.ExportViewModel;
import dev.weft.app.history.UndoManager;
import dev.weft.app.model.ModelDialogViewModel;
import dev.weft.app.project.ProjectViewModel;
import dev.weft.app.project.Recovery;
import dev.weft.app.project.StudioSettings;
import dev.weft.app.queue.JobQueue;
import dev.weft.app.queue.QueueViewModel;
import dev.weft.app.service.EngineService;
import dev.weft.app.status.StatusViewModel;
import dev.weft.app.storyboard.StoryboardViewModel;
import dev.weft.app.style.StyleBoardViewModel;
import dev.weft.app.theme.ThemeViewModel;
import dev.weft.engine.Devices;
import dev.weft.engine.memory.MemoryProbe;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The studio's composition root: the services (engine, queue, undo, notifications) and one ViewModel per feature.
 * The {@link Builder} lets tests inject the UI thread, the generation and I/O executors, the engine, the seeds and
 * the folders.
 */
public final class StudioViewModel implements AutoCloseable {
    private final Notifier notifier = new Notifier();
    private final UndoManager undo = new UndoManager();
    private final EngineService engine;
    private final JobQueue queue;
    private final StoryboardViewModel storyboard;
    private final ProjectViewModel project;
    private final QueueViewModel queueVm;
    private final StatusViewModel status;
    private final ThemeViewModel theme;
    private final StyleBoardViewModel styleBoard;
    private final ExportViewModel export;
    private final List<ExecutorService> owned;
    private final MemoryProbe memoryProbe;
    private final IntSupplier gpuCount;

    private StudioViewModel(Builder b, List<ExecutorService> owned) {
        this.owned = owned;
        this.engine = b.engine;
        this.queue = new JobQueue(b.generation, b.ui);
        queue.setPreviewIntervalMillis(b.previewIntervalMillis);
        queue.readyProperty().bind(engine.readyBinding());
        // a model replaced by another is closed on the generation thread, after a job still running on it
        engine.retireOn(b.generation);
        this.memoryProbe = b.memoryProbe;
        this.gpuCount = b.gpuCount;
        StudioSettings settings = new StudioSettings(b.configDir);
        Recovery recovery = b.recovery != null ? b.recovery : Recovery.forThisProcess(b.configDir.resolve("recovery"));
        this.storyboard = new StoryboardViewModel(engine, queue, undo, notifier, b.io, b.ui, b.seeds);
        this.project = new ProjectViewModel(storyboard, undo, notifier, settings, recovery, b.io, b.ui);
        this.queueVm = new QueueViewModel(queue);
        this.status = new StatusViewModel(engine, storyboard.contextMeter());
        this.theme = new ThemeViewModel(settings);
        this.styleBoard = new StyleBoardViewModel(storyboard, engine, queue, notifier, b.io, b.ui, b.seeds);
        this.export = new ExportViewModel(storyboard, project, notifier, b.io, b.ui);
        if (engine.isReady()) {
            storyboard.settings().useModelDefaults(engine.engine().generationDefaults());
        }
        engine.stateProperty().addListener((o, a, s) -> {
            if (s == EngineService.State.READY && engine.engine() != null) {
                storyboard.settings().useModelDefaults(engine.engine().generationDefaults());
            }
        });
        engine.failureProperty().addListener((o, a, f) -> {
            if (f != null) {
                notifier.publish(Notification.error("The model did not load", f.keptModel() == null
                        ? "Model failed to load: " + f.message() + "\nThe studio still opens, edits and saves "
                        + "stories; generation needs a model: choose a folder with Model > Choose Model…"
                        : f.folder() + " was not loaded: " + f.message() + "\n" + f.keptModel() + " stays loaded on "
                        + engine.deviceProperty().get() + "; your story is unchanged."));
            }
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    public Notifier notifier() {
        return notifier;
    }

    public UndoManager undoManager() {
        return undo;
    }

    public EngineService engine() {
        return engine;
    }

    public JobQueue jobQueue() {
        return queue;
    }

    /**
     * A fresh ViewModel for the model dialog (Model > Choose Model…): it starts at the loaded model's folder and
     * device and loads through {@link #engine()}.
     */
    public ModelDialogViewModel modelDialog() {
        return new ModelDialogViewModel(engine, memoryProbe, gpuCount, engine.modelDirProperty().get(),
                engine.onGpu() ? ModelDialogViewModel.Target.GPU : ModelDialogViewModel.Target.CPU);
    }

    public StoryboardViewModel storyboard() {
        return storyboard;
    }

    public ProjectViewModel project() {
        return project;
    }

    public QueueViewModel queue() {
        return queueVm;
    }

    public StatusViewModel status() {
        return status;
    }

    public ThemeViewModel theme() {
        return theme;
    }

    public StyleBoardViewModel styleBoard() {
        return styleBoard;
    }

    public ExportViewModel export() {
        return export;
    }

    public void undo() {
        undo.undo();
    }

    public void redo() {
        undo.redo();
    }

    /** Cancels the jobs, stops the threads this studio started and closes the engine (after a running call). */
    @Override
    public void close() {
        queue.cancelAll();
        for (ExecutorService e : owned) {
            e.shutdown();
        }
        for (ExecutorService e : owned) {
            try {
                e.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
        engine.close();
    }

    /** What the studio is made of; unset parts get the studio's defaults. */
    public static final class Builder {
        private UiThread ui = UiThread.fx();
        private Executor generation;
        private Executor io;
        private EngineService engine;
        private Path configDir = dev.weft.app.project.StudioSettings.defaultConfigDir();
        private Recovery recovery;
        private LongSupplier seeds = new SecureRandom()::nextInt;
        private long previewIntervalMillis = 200;
        private MemoryProbe memoryProbe = MemoryProbe.system();
        private IntSupplier gpuCount = Devices::gpuCount;

        public Builder ui(UiThread u) {
            ui = u;
            return this;
        }

        /** Runs generation jobs one at a time (default: one daemon thread). */
        public Builder generation(Executor e) {
            generation = e;
            return this;
        }

        /** Reads and writes files (default: one daemon thread, so saves stay in order). */
        public Builder io(Executor e) {
            io = e;
            return this;
        }

        /** Default: a service that loads the model on its own thread when asked. */
        public Builder engine(EngineService e) {
            engine = e;
            return this;
        }

        public Builder configDir(Path p) {
            configDir = p;
            return this;
        }

        public Builder recovery(Recovery r) {
            recovery = r;
            return this;
        }

        public Builder seeds(LongSupplier s) {
            seeds = () -> Math.abs(s.getAsLong());
            return this;
        }

        public Builder previewIntervalMillis(long ms) {
            previewIntervalMillis = ms;
            return this;
        }

        /** What the model dialog compares its memory estimate with (default: this machine's free memory). */
        public Builder memoryProbe(MemoryProbe p) {
            memoryProbe = p;
            return this;
        }

        /** CUDA GPUs the model dialog offers (default: those DJL sees). */
        public Builder gpuCount(IntSupplier g) {
            gpuCount = g;
            return this;
        }

        public StudioViewModel build() {
            List<ExecutorService> owned = new ArrayList<>();
            if (generation == null) {
                ExecutorService e = Executors.newSingleThreadExecutor(daemon("weft-generation"));
                owned.add(e);
                generation = e;
            }
            if (io == null) {
                ExecutorService e = Executors.newSingleThreadExecutor(daemon("weft-io"));
                owned.add(e);
                io = e;
            }
            if (engine == null) {
                ExecutorService e = Executors.newSingleThreadExecutor(daemon("weft-model-loader"));
                owned.add(e);
                engine = new EngineService(e, ui);
            }
            return new StudioViewModel(this, owned);
        }

        private static java.util.concurrent.ThreadFactory daemon(String name) {
            return r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            };
        }
    }
}
