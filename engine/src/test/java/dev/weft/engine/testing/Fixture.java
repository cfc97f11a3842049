package dev.weft.engine.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.weights.SafetensorsFile;
import dev.weft.engine.weights.SafetensorsWeights;
import dev.weft.engine.weights.TensorInfo;
import dev.weft.engine.weights.WeightSource;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fixture folder exported by {@code engine/training/fixtures/export_*.py}: {@code weights.safetensors}
 * (model parameters, in checkpoint names) and {@code io.safetensors} (inputs and reference outputs).
 */
public final class Fixture implements AutoCloseable {
    public static final Path ROOT = Path.of("src/test/resources/fixtures");

    private final Path dir;
    private final SafetensorsFile io;
    private final NDManager manager;

    private Fixture(String name, NDManager manager) {
        this.dir = ROOT.resolve(name);
        this.io = SafetensorsFile.open(dir.resolve("io.safetensors"));
        this.manager = manager;
    }

    public static Fixture open(String name, NDManager manager) {
        return new Fixture(name, manager);
    }

    /** The fixture's model weights as a source for {@link dev.weft.engine.nn.Params#load}. */
    public WeightSource weights() {
        return SafetensorsWeights.open(dir.resolve("weights.safetensors"));
    }

    public boolean hasWeights() {
        return Files.exists(dir.resolve("weights.safetensors"));
    }

    public boolean has(String name) {
        return io.tensors().containsKey(name);
    }

    /** A floating tensor as fp32, or an integer tensor as int64. */
    public NDArray get(String name) {
        TensorInfo info = io.tensors().get(name);
        if (info == null) {
            throw new IllegalArgumentException(dir + ": fixture has no tensor '" + name + "'");
        }
        Shape shape = new Shape(info.shape());
        if (info.dtype() == dev.weft.engine.weights.DType.I64) {
            long[] v = new long[Math.toIntExact(info.numel())];
            io.raw(name).asLongBuffer().get(v);
            return manager.create(v, shape);
        }
        return manager.create(io.float32(name), shape, DataType.FLOAT32);
    }

    public long[] longs(String name) {
        return get(name).toLongArray();
    }

    @Override
    public void close() {
        io.close();
    }
}
