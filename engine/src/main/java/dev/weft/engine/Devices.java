package dev.weft.engine;

import ai.djl.Device;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the engine computes: {@code cpu}, or {@code gpu} when DJL's PyTorch engine sees a CUDA GPU. Which libtorch
 * DJL uses (its "flavour": {@code cpu}, {@code cu128}, ...) decides whether a GPU can be seen at all; see
 * docs/gpu-guide.md.
 */
public final class Devices {
    static {
        OpenMp.preferPassiveWaiting(); // before libtorch loads: see OpenMp
    }

    private Devices() { }

    /** {@code cpu} or {@code gpu} (also {@code cuda}) to a DJL device; a GPU must be visible to DJL. */
    public static Device resolve(String name) {
        String n = name == null ? "cpu" : name.strip().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "cpu" -> Device.cpu();
            case "gpu", "cuda" -> {
                if (gpuCount() == 0) {
                    throw new IllegalArgumentException("--device gpu: no CUDA GPU visible to DJL (engine flavour "
                            + flavour() + "); see docs/gpu-guide.md");
                }
                yield Device.gpu();
            }
            default -> throw new IllegalArgumentException("--device: expected cpu or gpu, found " + name);
        };
    }

    /** CUDA GPUs DJL's engine sees; 0 when there are none or the engine cannot start. */
    public static int gpuCount() {
        try {
            return ai.djl.engine.Engine.getInstance().getGpuCount();
        } catch (RuntimeException | LinkageError e) {
            return 0;
        }
    }

    /**
     * The engine and the libtorch build DJL loaded, e.g. {@code PyTorch 2.7.1, 2.7.1-cpu-linux-x86_64} (the folder
     * name under DJL's cache says the flavour), or why the engine did not start.
     */
    public static String flavour() {
        try {
            ai.djl.engine.Engine e = ai.djl.engine.Engine.getInstance();
            String lib;
            try {
                Path p = Path.of(ai.djl.pytorch.jni.LibUtils.getLibtorchPath());
                lib = p.getFileName() == null ? p.toString() : p.getFileName().toString();
            } catch (RuntimeException | LinkageError x) {
                lib = "libtorch path unknown";
            }
            String env = System.getenv("PYTORCH_FLAVOR");
            return e.getEngineName() + " " + e.getVersion() + ", " + lib
                    + (env != null && !env.isBlank() ? ", PYTORCH_FLAVOR=" + env : "");
        } catch (RuntimeException | LinkageError e) {
            return "unavailable: " + e.getMessage();
        }
    }
}
