package dev.weft.engine;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.weft.engine.memory.MemoryPlan;

import java.util.Locale;

/**
 * The precision of a model's weights and compute, for loading and for memory plans ({@link MemoryPlan}).
 * <ul>
 *   <li>{@link #FP32} and {@link #FP16} are {@linkplain #runnable() runnable}: a model is loaded and computed in them.
 *       {@code FP16} keeps the weights in half precision on the device and runs the matmuls, convolutions and
 *       attention in it; normalisation statistics, attention softmax, the scheduler and its latents, the sinusoidal
 *       and rotary tables, text logits and the whole VAE stay in fp32 (docs/gpu-guide.md, "Precision").</li>
 *   <li>{@link #BF16} is <b>planned only, not runnable</b>: {@code weft info} shows what bf16 compute would need, but
 *       the engine does not compute in it (bf16 aborts the JVM in libtorch's CPU kernels) and refuses to load in it.</li>
 * </ul>
 */
public enum Precision {
    FP32(DataType.FLOAT32, 4, true),
    FP16(DataType.FLOAT16, 2, true),
    /** Planned only, not runnable: see {@link #runnable()}. */
    BF16(DataType.BFLOAT16, 2, false);

    private final DataType dataType;
    private final int bytes;
    private final boolean runnable;

    Precision(DataType dataType, int bytes, boolean runnable) {
        this.dataType = dataType;
        this.bytes = bytes;
        this.runnable = runnable;
    }

    /** The element type of the floating weights and of the compute. */
    public DataType dataType() {
        return dataType;
    }

    /** Bytes per element of the weights and compute (4 for fp32, 2 for fp16 and bf16). */
    public int bytes() {
        return bytes;
    }

    /** Whether the engine loads and computes in this precision ({@link #FP32}, {@link #FP16}); {@link #BF16} is not. */
    public boolean runnable() {
        return runnable;
    }

    /**
     * A {@linkplain #runnable() runnable} precision, as the commands that load a model read {@code --dtype}:
     * {@code fp32} or {@code fp16} (also {@code f32}, {@code float32}, {@code f16}, {@code float16}, {@code half});
     * anything else, bf16 included, is refused.
     */
    public static Precision parse(String s) {
        Precision p = named(s == null ? "" : s.strip().toLowerCase(Locale.ROOT));
        if (p == null || !p.runnable) {
            throw new IllegalArgumentException("--dtype: expected fp32 or fp16, found " + s);
        }
        return p;
    }

    /**
     * Any precision a memory plan can be made for, as {@code weft info} reads {@code --dtype}: the spellings of
     * {@link #parse} and {@code bf16} ({@code bfloat16}).
     */
    public static Precision parsePlanned(String s) {
        Precision p = named(s.toLowerCase(Locale.ROOT));
        if (p == null) {
            throw new IllegalArgumentException("--dtype: expected fp32, fp16 or bf16, found " + s);
        }
        return p;
    }

    private static Precision named(String n) {
        return switch (n) {
            case "fp32", "f32", "float32" -> FP32;
            case "fp16", "f16", "float16", "half" -> FP16;
            case "bf16", "bfloat16" -> BF16;
            default -> null;
        };
    }

    /** The default on a device: fp16 on a GPU, fp32 on the CPU. */
    public static Precision defaultFor(Device device) {
        return defaultFor(MemoryPlan.Target.of(device));
    }

    /** The default on a target, without a {@link Device} (no GPU needed to say which): fp16 on a GPU, fp32 on the CPU. */
    public static Precision defaultFor(MemoryPlan.Target target) {
        return target == MemoryPlan.Target.GPU ? FP16 : FP32;
    }

    /** Throws unless {@linkplain #runnable() runnable}: for the loaders. */
    public Precision requireRunnable() {
        if (!runnable) {
            throw new IllegalArgumentException(this + " is planned only, not runnable: the engine loads and computes "
                    + "in fp32 or fp16");
        }
        return this;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
