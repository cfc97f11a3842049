package dev.weft.app.status;

import dev.weft.app.service.EngineService;
import javafx.beans.binding.Bindings;
import dev.weft.app.storyboard.ContextMeter;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.ObjectBinding;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The status bar: which model, on which device, how much memory, how far loading has come, and how much of the
 * model's context the story up to the selection takes.
 */
public final class StatusViewModel {
    private final EngineService engine;
    private final StringBinding model;
    private final BooleanBinding loading;
    private final BooleanBinding failed;
    private final ReadOnlyStringWrapper memory = new ReadOnlyStringWrapper(this, "memory", "");
    private final ContextMeter context;
    private final StringBinding contextText;
    private final StringBinding contextHelp;
    private final ObjectBinding<ContextMeter.Level> contextLevel;

    public StatusViewModel(EngineService engine, ContextMeter context) {
        this.engine = engine;
        this.context = context;
        model = Bindings.createStringBinding(() -> switch (engine.stateProperty().get()) {
            case READY -> "Model: " + engine.modelIdProperty().get() + "  |  Device: " + engine.deviceProperty().get();
            case LOADING -> {
                double f = engine.loadProgressProperty().get();
                yield "Loading model" + (f >= 0 ? " " + Math.round(f * 100) + "%" : "…") + "  |  Device: "
                        + engine.deviceProperty().get();
            }
            case FAILED -> engine.messageProperty().get();
            case NOT_LOADED -> "No model";
        }, engine.stateProperty(), engine.modelIdProperty(), engine.deviceProperty(), engine.messageProperty(),
                engine.loadProgressProperty());
        contextText = Bindings.createStringBinding(() -> context.getUsage() == null ? ""
                : context.getUsage().summary(), context.usageProperty());
        contextHelp = Bindings.createStringBinding(() -> context.getUsage() == null ? ""
                : context.getUsage().explanation(), context.usageProperty());
        contextLevel = Bindings.createObjectBinding(() -> context.getUsage() == null ? ContextMeter.Level.OK
                : context.getUsage().level(), context.usageProperty());
        loading = Bindings.createBooleanBinding(() -> engine.stateProperty().get() == EngineService.State.LOADING,
                engine.stateProperty());
        failed = Bindings.createBooleanBinding(() -> engine.stateProperty().get() == EngineService.State.FAILED,
                engine.stateProperty());
        // a newly loaded model's figures at once, not at the next tick
        engine.weightBytesProperty().addListener((o, a, b) -> refreshMemory());
        refreshMemory();
    }

    public StringBinding modelBinding() {
        return model;
    }

    public BooleanBinding loadingBinding() {
        return loading;
    }

    public BooleanBinding failedBinding() {
        return failed;
    }

    /** While loading: the fraction of the weights read (-1 while unknown). */
    public ReadOnlyDoubleProperty loadProgressProperty() {
        return engine.loadProgressProperty();
    }

    /** "Context 120 / 512 tokens · 2 / 7 pictures", or "" without a model. */
    public StringBinding contextBinding() {
        return contextText;
    }

    /** What the context figure means and what to do about it. */
    public StringBinding contextHelpBinding() {
        return contextHelp;
    }

    public ObjectBinding<ContextMeter.Level> contextLevelBinding() {
        return contextLevel;
    }

    public ReadOnlyStringProperty memoryProperty() {
        return memory.getReadOnlyProperty();
    }

    /** Re-reads memory use (the View calls this every few seconds). */
    public void refreshMemory() {
        Runtime rt = Runtime.getRuntime();
        long heap = rt.totalMemory() - rt.freeMemory();
        StringBuilder sb = new StringBuilder();
        long w = engine.weightBytesProperty().get();
        if (w > 0) {
            sb.append("Weights ").append(mb(w)).append("  |  ");
        }
        sb.append("Heap ").append(mb(heap)).append(" of ").append(mb(rt.maxMemory()));
        long rss = residentBytes();
        if (rss > 0) {
            sb.append("  |  Process ").append(mb(rss));
        }
        memory.set(sb.toString());
    }

    static String mb(long bytes) {
        return bytes >= 1L << 30 ? String.format("%.1f GB", bytes / (double) (1L << 30))
                : String.format("%d MB", Math.max(1, Math.round(bytes / (double) (1L << 20))));
    }

    /** Resident memory of the process (libtorch's tensors live outside the Java heap); 0 where unknown. */
    static long residentBytes() {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return 0;
        }
        try {
            List<String> lines = Files.readAllLines(status);
            for (String l : lines) {
                if (l.startsWith("VmRSS:")) {
                    String[] parts = l.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
