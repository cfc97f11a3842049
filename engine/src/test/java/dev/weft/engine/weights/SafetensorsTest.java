package dev.weft.engine.weights;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Safetensors read and write: round trips in every stored type, shards, and the errors for broken files. */
class SafetensorsTest {
    static float[] read(SafetensorsFile f, String name) {
        FloatBuffer b = f.float32(name).asFloatBuffer();
        float[] v = new float[b.remaining()];
        b.get(v);
        return v;
    }

    @Test
    void roundTripsF32F16Bf16(@TempDir Path dir) throws Exception {
        float[] v = {0f, 1f, -2.5f, 3.14159f, 65504f, 1e-5f, -1e-8f, 0.1f};
        Path p = dir.resolve("w.safetensors");
        new SafetensorsWriter().put("a.f32", new long[] {2, 4}, v, DType.F32).put("b.f16", new long[] {8}, v, DType.F16)
                .put("c.bf16", new long[] {4, 2}, v, DType.BF16).metadata("format", "pt").write(p);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertArrayEquals(v, read(f, "a.f32"));
            assertArrayEquals(new long[] {4, 2}, f.tensors().get("c.bf16").shape());
            float[] h = read(f, "b.f16");
            float[] b = read(f, "c.bf16");
            for (int i = 0; i < v.length; i++) {
                // binary16: 11 significant bits (and subnormals below 6.1e-5); bfloat16: 8 bits
                assertEquals(v[i], h[i], Math.max(Math.abs(v[i]) * 1e-3, 6e-8), "f16 " + i);
                assertEquals(v[i], b[i], Math.abs(v[i]) * 8e-3 + 1e-30, "bf16 " + i);
            }
            assertEquals("pt", f.metadata().get("format"));
        }
    }

    @Test
    void halfPrecisionConversionsAreExactOnRepresentableValues() {
        for (short s : new short[] {0x0000, 0x3c00, (short) 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, (short) 0xfbff}) {
            assertEquals(s, DType.floatToHalf(DType.halfToFloat(s)), Integer.toHexString(s & 0xffff));
        }
        assertTrue(Float.isInfinite(DType.halfToFloat((short) 0x7c00)));
        assertTrue(Float.isNaN(DType.halfToFloat((short) 0x7e00)));
    }

    @Test
    void shardsWithIndex(@TempDir Path dir) throws Exception {
        new SafetensorsWriter().put("x", new long[] {2}, new float[] {1, 2}, DType.F32).write(dir.resolve("m-1.safetensors"));
        new SafetensorsWriter().put("y", new long[] {1}, new float[] {3}, DType.F16).write(dir.resolve("m-2.safetensors"));
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"x\": \"m-1.safetensors\", \"y\": \"m-2.safetensors\"}}");
        try (SafetensorsWeights w = SafetensorsWeights.open(dir)) {
            assertEquals(2, w.tensors().size());
            assertEquals(3f, w.float32("y").asFloatBuffer().get(0));
        }
    }

    @Test
    void brokenFilesAreNamed(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("w.safetensors");
        new SafetensorsWriter().put("x", new long[] {64}, new float[64], DType.F32).write(p);
        byte[] all = Files.readAllBytes(p);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(all, all.length - 10));
        WeightsException e = assertThrows(WeightsException.class, () -> SafetensorsFile.open(cut));
        assertTrue(e.getMessage().contains("cut.safetensors") && e.getMessage().contains("truncated"), e.getMessage());
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        e = assertThrows(WeightsException.class, () -> SafetensorsFile.open(tiny));
        assertTrue(e.getMessage().contains("tiny.safetensors"), e.getMessage());
        Path json = dir.resolve("json.safetensors");
        byte[] bad = all.clone();
        bad[9] = '#';
        Files.write(json, bad);
        e = assertThrows(WeightsException.class, () -> SafetensorsFile.open(json));
        assertTrue(e.getMessage().contains("not JSON"), e.getMessage());
        e = assertThrows(WeightsException.class, () -> SafetensorsFile.open(dir.resolve("none.safetensors")));
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }
}
