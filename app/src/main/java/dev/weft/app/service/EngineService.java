package dev.weft.app.service;

import ai.djl.Device;
import dev.weft.app.common.UiThread;
import dev.weft.app.sketch.SegmentationPalette;
import dev.weft.engine.Engine;
import dev.weft.engine.memory.OutOfMemory;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * Owns the engine: loads the model folder off the UI thread (on the loader executor) and publishes its state for
 * the status bar and for the queue's gate. Generation jobs get the engine through {@link #engine()} on the
 * generation thread. Properties change on the UI thread only.
 *
 * <p>Another model can be loaded while one is loaded (the model dialog): the current one stays in place until the
 * new one is ready, then it is swapped in and the old one is closed on the {@linkplain #retireOn retirement
 * executor} (the studio's generation thread, so a job still running on it finishes first). When the new one fails
 * (a refused memory plan, a folder without weights, a tensor of the wrong shape) the current one stays loaded and
 * usable, and {@link #failureProperty()} says what went wrong.
 */
public final class EngineService implements AutoCloseable {
    public enum State { NOT_LOADED, LOADING, READY, FAILED }

    /**
     * A load that failed: the folder, the problem, and the model still loaded ({@code null} when there is none and
     * the state is {@link State#FAILED}). A new record for every failure, so listeners hear each one.
     */
    public record LoadFailure(Path folder, String message, String keptModel) { }

    /**
     * Loads a model folder; {@link Engine#load} in the studio (in the device's default precision: fp16 on a GPU,
     * fp32 on the CPU), a stub in tests.
     */
    @FunctionalInterface
    public interface Loader {
        /** {@code progress} receives (values read, values stored) from the loading thread. */
        Engine load(Path modelDir, Device device, BiConsumer<Long, Long> progress);
    }

    /** Shortest step of the load fraction that is posted to the UI thread (at most about 200 posts per load). */
    static final double PROGRESS_STEP = 0.005;

    private final Executor loaderExecutor;
    private final UiThread ui;
    private final Loader loader;
    private final boolean ownsEngine;
    private volatile Engine engine;
    private Executor retirement;

    private final ReadOnlyObjectWrapper<State> state = new ReadOnlyObjectWrapper<>(this, "state", State.NOT_LOADED);
    private final ReadOnlyStringWrapper modelId = new ReadOnlyStringWrapper(this, "modelId", "");
    private final ReadOnlyStringWrapper device = new ReadOnlyStringWrapper(this, "device", "");
    private final ReadOnlyObjectWrapper<Path> modelDir = new ReadOnlyObjectWrapper<>(this, "modelDir");
    private final ReadOnlyObjectWrapper<LoadFailure> failure = new ReadOnlyObjectWrapper<>(this, "failure");
    private final ReadOnlyStringWrapper message = new ReadOnlyStringWrapper(this, "message", "no model");
    private final ReadOnlyLongWrapper weightBytes = new ReadOnlyLongWrapper(this, "weightBytes");
    /** While loading: the fraction of the weights read, or -1 before the first tensor. */
    private final ReadOnlyDoubleWrapper loadProgress = new ReadOnlyDoubleWrapper(this, "loadProgress", -1);
    private final ReadOnlyObjectWrapper<SegmentationPalette> palette = new ReadOnlyObjectWrapper<>(this, "palette",
            SegmentationPalette.ade20k());
    private final BooleanBinding ready;

    public EngineService(Executor loaderExecutor, UiThread ui) {
        this(loaderExecutor, ui, (dir, device, progress) -> Engine.load(dir, device,
                dev.weft.engine.Precision.defaultFor(device), progress, dev.weft.engine.memory.MemoryProbe.system()),
                true);
    }

    public EngineService(Executor loaderExecutor, UiThread ui, Loader loader, boolean ownsEngine) {
        this.loaderExecutor = loaderExecutor;
        this.ui = ui;
        this.loader = loader;
        this.ownsEngine = ownsEngine;
        this.retirement = loaderExecutor;
        this.ready = Bindings.createBooleanBinding(() -> state.get() == State.READY, state);
    }

    /** A service over an engine that is already loaded (tests share one tiny engine); does not close it. */
    public static EngineService of(Engine engine, UiThread ui) {
        EngineService s = new EngineService(Runnable::run, ui, (d, dev, p) -> engine, false);
        s.published(engine, null);
        return s;
    }

    /**
     * Where an engine replaced by a newly loaded one is closed (default: the loader executor). The studio passes its
     * single generation thread: a job dispatched on the old engine was handed to that thread before the swap, so it
     * runs to its end before the engine is closed.
     */
    public void retireOn(Executor e) {
        retirement = e;
    }

    /**
     * Starts loading; the state goes LOADING, then READY, or FAILED with a message naming the problem. While a model
     * is loaded it stays loaded during the load (the queue waits), and a failure brings it back: READY with the
     * same model, the problem in {@link #failureProperty()}. Does nothing while a load runs.
     */
    public void load(Path modelDir, Device dev) {
        if (state.get() == State.LOADING) {
            return;
        }
        Engine current = engine;
        state.set(State.LOADING);
        message.set("Loading model from " + modelDir + " …");
        device.set(describe(dev));
        loadProgress.set(-1);
        loaderExecutor.execute(() -> {
            try {
                // the palette is a small file next to the weights: the sketch pad can use it before they are read
                // (only when no model is loaded: otherwise the loaded model's classes stay until the new one is in)
                SegmentationPalette p = SegmentationPalette.forModel(modelDir);
                if (current == null) {
                    ui.post(() -> palette.set(p));
                }
                double[] posted = {-1};
                Engine e = loader.load(modelDir, dev, (done, total) -> {
                    double f = total <= 0 ? -1 : Math.min(1, done / (double) total);
                    if (f >= 0 && (f - posted[0] >= PROGRESS_STEP || f == 1 && posted[0] < 1)) {
                        posted[0] = f;
                        ui.post(() -> {
                            if (state.get() == State.LOADING) {
                                loadProgress.set(f);
                            }
                        });
                    }
                });
                long bytes = weightBytes(modelDir);
                ui.post(() -> {
                    weightBytes.set(bytes);
                    palette.set(p);
                    published(e, modelDir);
                });
            } catch (Throwable t) {
                String m = OutOfMemory.explain(t)
                        .orElse(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage());
                ui.post(() -> failed(modelDir, m));
            }
        });
    }

    /** A load failed: back to the model loaded before, if any (READY), else FAILED. */
    private void failed(Path dir, String problem) {
        Engine kept = engine;
        if (kept == null) {
            message.set("Model failed to load: " + problem);
            failure.set(new LoadFailure(dir, problem, null));
            state.set(State.FAILED);
            return;
        }
        device.set(describe(kept.device()));
        loadProgress.set(1);
        message.set("Model " + kept.modelId() + (modelDir.get() == null ? "" : " (" + modelDir.get() + ")"));
        failure.set(new LoadFailure(dir, problem, kept.modelId()));
        state.set(State.READY);
    }

    private void published(Engine e, Path dir) {
        Engine old = engine;
        engine = e;
        if (old != null && old != e && ownsEngine) {
            retire(old);
        }
        modelId.set(e.modelId());
        if (dir == null) {
            palette.set(paletteNear(e));
        }
        modelDir.set(dir != null ? dir : folderOf(e));
        loadProgress.set(1);
        device.set(describe(e.device()));
        message.set("Model " + e.modelId() + (dir == null ? "" : " (" + dir + ")"));
        state.set(State.READY);
    }

    /** Closes a replaced engine after any call running on it ({@link Engine}'s generation methods lock it). */
    private void retire(Engine old) {
        Runnable close = () -> {
            synchronized (old) {
                old.close();
            }
        };
        try {
            retirement.execute(close);
        } catch (java.util.concurrent.RejectedExecutionException shutDown) {
            close.run();
        }
    }

    /** The folder the engine's tokenizer came from, or null. */
    private static Path folderOf(Engine e) {
        try {
            Path src = e.tokenizer().source();
            return src == null ? null : src.getParent();
        } catch (RuntimeException ex) {
            return null;
        }
    }

    /** The palette in the folder the engine's tokenizer came from (an engine built elsewhere: ADE20K). */
    private static SegmentationPalette paletteNear(Engine e) {
        try {
            Path src = e.tokenizer().source();
            return src == null || src.getParent() == null ? SegmentationPalette.ade20k()
                    : SegmentationPalette.forModel(src.getParent());
        } catch (RuntimeException ex) {
            return SegmentationPalette.ade20k();
        }
    }

    static String describe(Device d) {
        return d.isGpu() ? "GPU " + d.getDeviceId() : "CPU";
    }

    static long weightBytes(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The loaded engine; throws with a message for the job when it is not loaded. Any thread. */
    public Engine engine() {
        Engine e = engine;
        if (e == null) {
            throw new IllegalStateException("the model is not loaded yet");
        }
        return e;
    }

    public BooleanBinding readyBinding() {
        return ready;
    }

    public boolean isReady() {
        return ready.get();
    }

    public ReadOnlyObjectProperty<State> stateProperty() {
        return state.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty modelIdProperty() {
        return modelId.getReadOnlyProperty();
    }

    public String modelId() {
        return modelId.get();
    }

    public ReadOnlyStringProperty deviceProperty() {
        return device.getReadOnlyProperty();
    }

    /** The folder of the loaded model (null while none is loaded or it is not known). */
    public ReadOnlyObjectProperty<Path> modelDirProperty() {
        return modelDir.getReadOnlyProperty();
    }

    /** The last load that failed (null before any); see {@link LoadFailure}. */
    public ReadOnlyObjectProperty<LoadFailure> failureProperty() {
        return failure.getReadOnlyProperty();
    }

    /** True when the loaded model computes on a GPU. */
    public boolean onGpu() {
        Engine e = engine;
        return e != null && e.device().isGpu();
    }

    public ReadOnlyStringProperty messageProperty() {
        return message.getReadOnlyProperty();
    }

    /** While loading: the fraction of the weights read (-1 while unknown); 1 once loaded. */
    public ReadOnlyDoubleProperty loadProgressProperty() {
        return loadProgress.getReadOnlyProperty();
    }

    /**
     * The segmentation classes of the model being loaded or loaded: its folder's {@code palette.json}, else
     * ADE20K (MM-Interleaved's checkpoints). Known as soon as loading starts.
     */
    public ReadOnlyObjectProperty<SegmentationPalette> paletteProperty() {
        return palette.getReadOnlyProperty();
    }

    public SegmentationPalette palette() {
        return palette.get();
    }

    /** Size of the weights on disk (about their fp32 size in memory). */
    public ReadOnlyLongProperty weightBytesProperty() {
        return weightBytes.getReadOnlyProperty();
    }

    /** The bundled model: {@code -Dweft.model}, {@code $WEFT_MODEL}, else {@code assets/weft-small} here or above. */
    public static Path defaultModelDir() {
        String p = System.getProperty("weft.model", System.getenv("WEFT_MODEL"));
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        Path home = Path.of(System.getProperty("weft.home", "."));
        for (Path c : new Path[] {home.resolve("assets/weft-small"), home.resolve("../assets/weft-small")}) {
            if (Files.isDirectory(c)) {
                return c.normalize();
            }
        }
        return home.resolve("assets/weft-small");
    }

    @Override
    public void close() {
        Engine e = engine;
        engine = null;
        if (e != null && ownsEngine) {
            // the engine's generation methods are synchronized on it: this waits for a running one to end
            synchronized (e) {
                e.close();
            }
        }
    }
}
