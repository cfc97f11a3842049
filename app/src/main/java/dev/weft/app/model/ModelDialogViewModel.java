package dev.weft.app.model;

import ai.djl.Device;
import dev.weft.app.service.EngineService;
import dev.weft.engine.config.ConfigException;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.memory.MemoryCheck;
import dev.weft.engine.memory.MemoryException;
import dev.weft.engine.Precision;
import dev.weft.engine.memory.MemoryPlan;
import dev.weft.engine.memory.MemoryProbe;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * The "Model…" dialog: a model folder and where to compute, with the memory the model needs there (its
 * {@link MemoryPlan}: the device's default precision, fp16 on a GPU and fp32 on the CPU, for the default document) against what the machine has free ({@link MemoryProbe}), before
 * anything is loaded. Loading goes through the {@link EngineService} (off the UI thread); the engine itself refuses
 * a model that cannot fit, so the warning here is advice, not a gate. Reading a folder's {@code config.json} and
 * counting its parameters allocate nothing and take well under a second even for the 13b config.
 */
public final class ModelDialogViewModel {
    public enum Target { CPU, GPU }

    private final EngineService engine;
    private final MemoryProbe probe;
    private final ObjectProperty<Path> folder = new SimpleObjectProperty<>(this, "folder");
    private final ObjectProperty<Target> device = new SimpleObjectProperty<>(this, "device", Target.CPU);
    private final ReadOnlyBooleanWrapper gpuAvailable = new ReadOnlyBooleanWrapper(this, "gpuAvailable");
    private final ReadOnlyStringWrapper problem = new ReadOnlyStringWrapper(this, "problem", "");
    private final ReadOnlyStringWrapper estimate = new ReadOnlyStringWrapper(this, "estimate", "");
    private final ReadOnlyStringWrapper warning = new ReadOnlyStringWrapper(this, "warning", "");
    private final BooleanBinding canLoad;

    /**
     * @param gpuCount CUDA GPUs DJL sees ({@code dev.weft.engine.Devices::gpuCount} in the studio)
     * @param initial the folder to start from (the loaded model's), or null
     */
    public ModelDialogViewModel(EngineService engine, MemoryProbe probe, IntSupplier gpuCount, Path initial,
                                Target initialDevice) {
        this.engine = engine;
        this.probe = probe;
        this.gpuAvailable.set(gpuCount.getAsInt() > 0);
        this.canLoad = Bindings.createBooleanBinding(() -> folder.get() != null && problem.get().isEmpty(), folder,
                problem);
        folder.addListener((o, a, b) -> refresh());
        device.addListener((o, a, b) -> refresh());
        device.set(initialDevice == null ? Target.CPU : initialDevice);
        folder.set(initial);
        refresh();
    }

    /** Recomputes the problem, the estimate and the warning for the current folder and device. */
    private void refresh() {
        problem.set("");
        estimate.set("");
        warning.set("");
        Path dir = folder.get();
        if (dir == null) {
            problem.set("Choose a model folder (config.json, tokenizer.json and the weights).");
            return;
        }
        if (device.get() == Target.GPU && !gpuAvailable.get()) {
            problem.set("No CUDA GPU is visible to DJL (the CPU build of libtorch is in use); see docs/gpu-guide.md.");
        }
        if (!Files.isDirectory(dir)) {
            problem.set(dir + ": no such folder.");
            return;
        }
        ModelConfig cfg;
        try {
            cfg = ModelConfig.read(dir.resolve("config.json"));
        } catch (ConfigException e) {
            problem.set(e.getMessage());
            return;
        }
        Device dev = device.get() == Target.GPU ? Device.gpu() : Device.cpu();
        Precision precision = Precision.defaultFor(dev);
        MemoryPlan plan = MemoryCheck.forLoad(cfg, dev, precision);
        MemoryPlan.Target t = plan.target();
        String where = t == MemoryPlan.Target.GPU
                ? String.format(Locale.ROOT, "~%s of GPU memory and ~%s on the host",
                MemoryPlan.human(plan.deviceBytes()), MemoryPlan.human(plan.hostBytes()))
                : String.format(Locale.ROOT, "~%s of memory", MemoryPlan.human(plan.hostBytes()));
        estimate.set(String.format(Locale.ROOT, "%s: %,d parameters, %s of %s weights; needs %s to load and paint "
                        + "(a short document).", cfg.name(), plan.parameters(),
                MemoryPlan.human(plan.bytes("weights")), precision, where));
        if (problem.get().isEmpty()) {
            try {
                MemoryCheck.require(plan, probe, dev, cfg.name());
                long host = probe.hostAvailable();
                if (host >= 0) {
                    estimate.set(estimate.get() + String.format(Locale.ROOT, " Free now: %s.", MemoryPlan.human(host)));
                }
            } catch (MemoryException e) {
                warning.set(e.getMessage().replaceFirst("; -D.*$", "") + ". Loading will be refused.");
            }
        }
    }

    /** Starts loading the chosen folder on the chosen device (see {@link EngineService#load}). */
    public void load() {
        if (!canLoad.get()) {
            throw new IllegalStateException(problem.get());
        }
        engine.load(folder.get(), device.get() == Target.GPU ? Device.gpu() : Device.cpu());
    }

    public ObjectProperty<Path> folderProperty() {
        return folder;
    }

    public ObjectProperty<Target> deviceProperty() {
        return device;
    }

    public ReadOnlyBooleanProperty gpuAvailableProperty() {
        return gpuAvailable.getReadOnlyProperty();
    }

    /** Why the folder or device cannot be loaded; empty when it can. */
    public ReadOnlyStringProperty problemProperty() {
        return problem.getReadOnlyProperty();
    }

    /** The model and the memory it needs. */
    public ReadOnlyStringProperty estimateProperty() {
        return estimate.getReadOnlyProperty();
    }

    /** Non-empty when the machine has less free memory than the estimate. */
    public ReadOnlyStringProperty warningProperty() {
        return warning.getReadOnlyProperty();
    }

    public BooleanBinding canLoadBinding() {
        return canLoad;
    }
}
