package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.weights.LoadReport;
import dev.weft.engine.weights.TensorInfo;
import dev.weft.engine.weights.WeightSource;
import dev.weft.engine.weights.WeightsException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * The parameter registry a model is built through. Every block asks for its tensors by full checkpoint name and
 * expected shape (via {@link WeightPath}); the registry records each request, so after construction it knows
 * the model's complete parameter list and can report missing, unexpected and mis-shaped tensors.
 *
 * <p>Three modes:
 * <ul>
 *   <li>{@link Mode#LOAD}: tensors come from a {@link WeightSource} and are converted to the registry's floating
 *       type (fp32, or fp16 for a half-precision model), one tensor at a time;</li>
 *   <li>{@link Mode#INIT}: tensors are freshly initialised, deterministically from a seed and the name;</li>
 *   <li>{@link Mode#SHAPES}: nothing is allocated ({@code get} returns null); used to count parameters and
 *       list names of models far larger than memory.</li>
 * </ul>
 * Model constructors therefore only fetch parameters; any derived tensor is computed lazily in forward.
 *
 * <p>Parameters are made in the registry's {@link #dataType()} except under a {@link WeightPath#fp32() fp32 path}
 * (a block that always computes in fp32, such as the VAE).
 */
public final class Params {
    public enum Mode { LOAD, INIT, SHAPES }

    private final Mode mode;
    private final WeightSource source;
    private final NDManager manager;
    private final long seed;
    private final DataType dataType;
    private final Map<String, long[]> requested = new LinkedHashMap<>();
    private final List<String> missing = new ArrayList<>();
    private final List<String> misShaped = new ArrayList<>();
    private Predicate<String> ignoreUnexpected = n -> n.endsWith("position_ids");
    private java.util.function.BiConsumer<Long, Long> progress = (done, total) -> { };
    private long loadedValues;
    private long totalValues = -1;

    private Params(Mode mode, WeightSource source, NDManager manager, long seed, DataType dataType) {
        if (dataType != DataType.FLOAT32 && dataType != DataType.FLOAT16) {
            throw new IllegalArgumentException("parameters: expected float32 or float16, found " + dataType);
        }
        this.mode = mode;
        this.source = source;
        this.manager = manager;
        this.seed = seed;
        this.dataType = dataType;
    }

    /** Parameters read from {@code source} into fp32 arrays owned by {@code manager}. */
    public static Params load(WeightSource source, NDManager manager) {
        return load(source, manager, DataType.FLOAT32);
    }

    /** Parameters read from {@code source} into arrays of {@code dataType} (fp32 or fp16) owned by {@code manager}. */
    public static Params load(WeightSource source, NDManager manager, DataType dataType) {
        return new Params(Mode.LOAD, source, manager, 0, dataType);
    }

    /** Freshly initialised fp32 parameters, deterministic for a seed. */
    public static Params init(NDManager manager, long seed) {
        return init(manager, seed, DataType.FLOAT32);
    }

    /** Freshly initialised parameters of {@code dataType}, deterministic for a seed (the fp32 values, rounded). */
    public static Params init(NDManager manager, long seed, DataType dataType) {
        return new Params(Mode.INIT, null, manager, seed, dataType);
    }

    /** Shapes only: no memory is allocated; every {@code get} returns null. */
    public static Params shapesOnly() {
        return new Params(Mode.SHAPES, null, null, 0, DataType.FLOAT32);
    }

    /** The floating type parameters are made in (outside {@link WeightPath#fp32() fp32 paths}). */
    public DataType dataType() {
        return dataType;
    }

    public Mode mode() {
        return mode;
    }

    public NDManager manager() {
        return manager;
    }

    public WeightPath root() {
        return new WeightPath(this, "");
    }

    /** Called after each tensor read with (values read so far, values in the source). */
    public Params onProgress(java.util.function.BiConsumer<Long, Long> listener) {
        this.progress = listener;
        return this;
    }

    /** Names in the source that the model need not consume (default: {@code *position_ids}). */
    public Params ignoreUnexpected(Predicate<String> p) {
        this.ignoreUnexpected = p;
        return this;
    }

    /** Fetches (or creates) the parameter {@code name} with the given shape, in {@link #dataType()}. */
    public NDArray get(String name, Init init, long... shape) {
        return get(name, init, dataType, shape);
    }

    /** Fetches (or creates) the parameter {@code name} with the given shape, as fp32 or fp16. */
    NDArray get(String name, Init init, DataType type, long... shape) {
        if (requested.containsKey(name)) {
            throw new IllegalStateException("parameter requested twice: " + name);
        }
        requested.put(name, shape.clone());
        return switch (mode) {
            case SHAPES -> null;
            case INIT -> converted(initialise(name, init, shape), type);
            case LOAD -> read(name, shape, type);
        };
    }

    private NDArray read(String name, long[] shape, DataType type) {
        TensorInfo info = source.tensors().get(name);
        if (info == null) {
            missing.add(name + " " + Arrays.toString(shape));
            return null;
        }
        if (!Arrays.equals(info.shape(), shape)) {
            misShaped.add(name + " expected " + Arrays.toString(shape) + " found " + info.shapeString());
            return null;
        }
        ByteBuffer data;
        try {
            data = type == DataType.FLOAT16 ? source.float16(name) : source.float32(name);
        } catch (IllegalArgumentException e) {
            throw new WeightsException(source.describe() + ": '" + name + "': " + e.getMessage()
                    + "; load this model in fp32 (--dtype fp32)", e);
        }
        NDArray a = owned(manager.create(data, new Shape(shape), type));
        if (totalValues < 0) {
            totalValues = source.tensors().values().stream().mapToLong(TensorInfo::numel).sum();
        }
        loadedValues += info.numel();
        progress.accept(loadedValues, totalValues);
        return a;
    }

    /**
     * On the CPU, DJL makes a tensor from a direct buffer without copying (libtorch's {@code from_blob}; the NDArray
     * keeps the buffer alive), so the weights would live in Java's direct memory, capped at -Xmx by default: a model
     * of more than 8 GB in fp32 failed to load under {@code ./weft}'s -Xmx8g ("Cannot reserve ... bytes of direct
     * buffer memory"). A copy into libtorch's own memory lets each buffer go once its tensor is read. On a GPU the
     * tensor is already a copy on the device.
     */
    private static NDArray owned(NDArray a) {
        if (!a.getDevice().equals(ai.djl.Device.cpu())) {
            return a;
        }
        NDArray copy = a.duplicate();
        a.close();
        return copy;
    }

    /** {@code a} as {@code type}, the fp32 original closed when a copy was made. */
    private static NDArray converted(NDArray a, DataType type) {
        if (a.getDataType() == type) {
            return a;
        }
        NDArray c = a.toType(type, false);
        a.close();
        return c;
    }

    private NDArray initialise(String name, Init init, long[] shape) {
        Shape s = new Shape(shape);
        Init.Kind kind = init.kind();
        float a = init.a();
        float b = init.b();
        if (kind == Init.Kind.DEFAULT) {
            String leaf = name.substring(name.lastIndexOf('.') + 1);
            if (leaf.equals("bias")) {
                kind = Init.Kind.ZEROS;
            } else if (shape.length == 1 && leaf.equals("weight")) {
                kind = Init.Kind.ONES;
            } else {
                kind = Init.Kind.NORMAL;
                b = 0.02f;
            }
        }
        int n = Math.toIntExact(s.size());
        float[] v = new float[n];
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode());
        switch (kind) {
            case ZEROS -> { }
            case ONES -> Arrays.fill(v, 1f);
            case CONSTANT -> Arrays.fill(v, a);
            case UNIFORM -> {
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (a + (b - a) * rng.nextDouble());
                }
            }
            case NORMAL -> Init.fillNormal(rng, v, a, b);
            default -> throw new IllegalStateException(kind.name());
        }
        return manager.create(v, s);
    }

    /** Every parameter the model asked for, in request order, with its shape. */
    public Map<String, long[]> shapes() {
        return Collections.unmodifiableMap(requested);
    }

    public long parameterCount() {
        long total = 0;
        for (long[] s : requested.values()) {
            long n = 1;
            for (long d : s) {
                n *= d;
            }
            total += n;
        }
        return total;
    }

    /** Compares what the model asked for with what the source holds. */
    public LoadReport report() {
        List<String> unexpected = new ArrayList<>();
        if (mode == Mode.LOAD) {
            for (TensorInfo t : source.tensors().values()) {
                if (!requested.containsKey(t.name()) && !ignoreUnexpected.test(t.name())) {
                    unexpected.add(t.name() + " " + t.shapeString());
                }
            }
        }
        return new LoadReport(mode == Mode.LOAD ? source.describe() : mode.name().toLowerCase(),
                List.copyOf(missing), unexpected, List.copyOf(misShaped), parameterCount());
    }

    /** Throws unless every parameter was found with the right shape and nothing was left over. */
    public LoadReport requireComplete() {
        LoadReport r = report();
        if (!r.ok()) {
            throw new WeightsException(r);
        }
        return r;
    }
}
