package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.weights.DType;
import dev.weft.engine.weights.KeyMap;
import dev.weft.engine.weights.SafetensorsWeights;
import dev.weft.engine.weights.SafetensorsWriter;
import dev.weft.engine.weights.WeightSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Params in fp16: F16 tensors arrive as stored, F32 and BF16 ones rounded to nearest even once; a path marked
 * {@link WeightPath#fp32()} keeps fp32; INIT mode rounds its fp32 values.
 */
class ParamsPrecisionTest {
    static final float[] VALUES = {0f, 1f, -2.5f, 0.1f, 3.14159265f, 60000f, 1e-6f, -0.33333334f};

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    /** What fp16 holds for each value, as fp32. */
    static float[] rounded(float[] v) {
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = DType.halfToFloat(DType.floatToHalf(v[i]));
        }
        return r;
    }

    /**
     * On the CPU DJL would keep the source's direct buffer as the tensor's memory (from_blob); the loaded weight must
     * be libtorch's own copy, so that the buffers of a large model do not pile up in Java's capped direct memory.
     */
    @Test
    void weightsOnTheCpuDoNotKeepTheSourceBuffer() {
        java.nio.ByteBuffer held = java.nio.ByteBuffer.allocateDirect(VALUES.length * 4)
                .order(java.nio.ByteOrder.nativeOrder());
        held.asFloatBuffer().put(VALUES);
        WeightSource one = new WeightSource() {
            @Override
            public java.util.Map<String, dev.weft.engine.weights.TensorInfo> tensors() {
                return java.util.Map.of("w", new dev.weft.engine.weights.TensorInfo("w", DType.F32, new long[] {8}));
            }

            @Override
            public java.nio.ByteBuffer float32(String name) {
                return held.duplicate().order(java.nio.ByteOrder.nativeOrder());
            }

            @Override
            public String describe() {
                return "one buffer";
            }

            @Override
            public void close() { }
        };
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = Params.load(one, m).root().get("w", 8);
            held.asFloatBuffer().put(new float[8]);                 // the source's buffer is overwritten
            assertArrayEquals(VALUES, w.toFloatArray(), "the weight is a copy, not the source's buffer");
        }
    }

    @Test
    void everyStoredTypeLoadsAsFp16(@TempDir Path dir) throws Exception {
        float[] bf16Values = new float[VALUES.length];
        for (int i = 0; i < VALUES.length; i++) {
            bf16Values[i] = Float.intBitsToFloat((DType.floatToBf16(VALUES[i]) & 0xffff) << 16);
        }
        long[] shape = {2, 4};
        Path file = dir.resolve("w.safetensors");
        new SafetensorsWriter().put("a.f32", shape, VALUES, DType.F32).put("a.f16", shape, VALUES, DType.F16)
                .put("a.bf16", shape, VALUES, DType.BF16).put("vae.w", shape, VALUES, DType.F16).write(file);
        try (NDManager m = NDManager.newBaseManager(); WeightSource w = SafetensorsWeights.open(file)) {
            Params p = Params.load(w, m, DataType.FLOAT16);
            WeightPath a = p.root().pp("a");
            NDArray f32 = a.get("f32", shape);
            NDArray f16 = a.get("f16", shape);
            NDArray bf16 = a.get("bf16", shape);
            NDArray vae = p.root().pp("vae").fp32().get("w", shape);
            p.requireComplete();
            for (NDArray x : new NDArray[] {f32, f16, bf16}) {
                assertEquals(DataType.FLOAT16, x.getDataType());
            }
            assertArrayEquals(rounded(VALUES), f32.toType(DataType.FLOAT32, false).toFloatArray());
            assertArrayEquals(rounded(VALUES), f16.toType(DataType.FLOAT32, false).toFloatArray());
            assertArrayEquals(rounded(bf16Values), bf16.toType(DataType.FLOAT32, false).toFloatArray());
            assertEquals(DataType.FLOAT32, vae.getDataType());
            assertArrayEquals(rounded(VALUES), vae.toFloatArray(), "an F16 tensor read as fp32 for an fp32 path");
        }
    }

    @Test
    void aRenamingKeyMapHandsF16Through(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("w.safetensors");
        new SafetensorsWriter().put("module.x", new long[] {8}, VALUES, DType.F16).write(file);
        try (NDManager m = NDManager.newBaseManager();
             WeightSource w = new KeyMap("strip", java.util.List.of(KeyMap.Rule.rename("^module\\.(.+)$", "$1", "test"))).apply(
                     SafetensorsWeights.open(file))) {
            Params p = Params.load(w, m, DataType.FLOAT16);
            NDArray x = p.root().get("x", 8);
            assertArrayEquals(rounded(VALUES), x.toType(DataType.FLOAT32, false).toFloatArray());
        }
    }

    /** A value fp16 cannot hold is refused with the tensor's name, not loaded as infinity. */
    @Test
    void aValueBeyondFp16IsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("w.safetensors");
        new SafetensorsWriter().put("big", new long[] {2}, new float[] {1f, 70000f}, DType.F32).write(file);
        try (NDManager m = NDManager.newBaseManager(); WeightSource w = SafetensorsWeights.open(file)) {
            Params p = Params.load(w, m, DataType.FLOAT16);
            dev.weft.engine.weights.WeightsException e = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.weft.engine.weights.WeightsException.class, () -> p.root().get("big", 2));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(
                    "'big': value 70000.0 is beyond the fp16 range; load this model in fp32 (--dtype fp32)"),
                    e.getMessage());
        }
    }

    @Test
    void initRoundsItsValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray full = Params.init(m, 3).get("w", Init.normal(1f), 4, 4);
            NDArray half = Params.init(m, 3, DataType.FLOAT16).get("w", Init.normal(1f), 4, 4);
            assertEquals(DataType.FLOAT16, half.getDataType());
            assertArrayEquals(rounded(full.toFloatArray()), half.toType(DataType.FLOAT32, false).toFloatArray());
        }
    }
}
