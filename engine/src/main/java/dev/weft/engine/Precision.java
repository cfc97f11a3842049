package dev.weft.engine;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;

import java.util.Locale;

/**
 * The precision a model is loaded and computed in. {@link #FP16} keeps the weights in half precision on the device
 * and runs the matmuls, convolutions and attention in it; normalisation statistics, attention softmax, the scheduler
 * and its latents, the sinusoidal and rotary tables, text logits and the whole VAE stay in fp32 (docs/gpu-guide.md,
 * "Precision").
 */
public enum Precision {
    FP32(DataType.FLOAT32),
    FP16(DataType.FLOAT16);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    /** The element type of the floating weights and of the compute. */
    public DataType dataType() {
        return dataType;
    }

    /** {@code fp32} or {@code fp16} (also {@code float32}, {@code float16}, {@code half}). */
    public static Precision parse(String s) {
        String n = s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "fp32", "f32", "float32" -> FP32;
            case "fp16", "f16", "float16", "half" -> FP16;
            default -> throw new IllegalArgumentException("--dtype: expected fp32 or fp16, found " + s);
        };
    }

    /** The default on a device: fp16 on a GPU, fp32 on the CPU. */
    public static Precision defaultFor(Device device) {
        return device != null && device.isGpu() ? FP16 : FP32;
    }

    /** The memory plan's precision of the same name. */
    public dev.weft.engine.memory.MemoryPlan.Precision plan() {
        return this == FP16 ? dev.weft.engine.memory.MemoryPlan.Precision.FP16
                : dev.weft.engine.memory.MemoryPlan.Precision.FP32;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
