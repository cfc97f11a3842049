package dev.weft.engine.weights.torch;

import ai.djl.Device;
import dev.weft.engine.Engine;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.model.MMInterleaved;
import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.weights.Checkpoints;
import dev.weft.engine.weights.DType;
import dev.weft.engine.weights.KeyMaps;
import dev.weft.engine.weights.SafetensorsFile;
import dev.weft.engine.weights.TensorInfo;
import dev.weft.engine.weights.WeightSource;
import dev.weft.engine.weights.WeightsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tiny model written by torch.save in the released layout ({@code fixtures/torch_ckpt}, from
 * {@code export_torch_ckpt.py}): read through the restricted unpickler, every tensor must equal the safetensors copy
 * ({@code assets/tiny/model.safetensors}) exactly, after rounding to the type it was stored in (fp32, bf16, fp16).
 */
class TorchCheckpointTest {
    static final Path DIR = Path.of("src/test/resources/fixtures/torch_ckpt");
    static final Path TINY = Path.of("../assets/tiny");
    static final String POSITION_IDS = "visual_tokenizer.encoder.vision_model.embeddings.position_ids";

    static float[] values(WeightSource s, String name) {
        FloatBuffer b = s.float32(name).asFloatBuffer();
        float[] v = new float[b.remaining()];
        b.get(v);
        return v;
    }

    static float[] values(SafetensorsFile f, String name) {
        FloatBuffer b = f.float32(name).asFloatBuffer();
        float[] v = new float[b.remaining()];
        b.get(v);
        return v;
    }

    /** What the exporter stored: fp32 values rounded to the tensor's type. */
    static float rounded(float v, DType t) {
        return switch (t) {
            case F16 -> DType.halfToFloat(DType.floatToHalf(v));
            case BF16 -> Float.intBitsToFloat((DType.floatToBf16(v) & 0xffff) << 16);
            default -> v;
        };
    }

    @Test
    void shardsThroughTheIndexMatchTheSafetensorsCopyExactly() {
        try (TorchWeights w = TorchWeights.open(DIR); SafetensorsFile ref = SafetensorsFile.open(TINY.resolve("model.safetensors"))) {
            assertEquals(2, w.archives().size());
            assertEquals(ref.tensors().size() + 1, w.tensors().size(), "every tensor plus position_ids");
            Map<DType, Integer> byType = new LinkedHashMap<>();
            long values = 0;
            for (TensorInfo t : ref.tensors().values()) {
                TensorInfo got = w.tensors().get(t.name());
                assertTrue(got != null, "missing " + t.name());
                assertArrayEquals(t.shape(), got.shape(), t.name());
                DType expectedType = t.name().startsWith("image_decoder.") ? DType.F16
                        : t.name().startsWith("mm_decoder.") ? DType.BF16 : DType.F32;
                assertEquals(expectedType, got.dtype(), t.name());
                float[] a = values(ref, t.name());
                float[] b = values(w, t.name());
                for (int i = 0; i < a.length; i++) {
                    if (Float.floatToIntBits(rounded(a[i], got.dtype())) != Float.floatToIntBits(b[i])) {
                        throw new AssertionError(t.name() + "[" + i + "]: expected " + rounded(a[i], got.dtype())
                                + " found " + b[i]);
                    }
                }
                byType.merge(got.dtype(), 1, Integer::sum);
                values += a.length;
            }
            System.out.printf("torch_ckpt: %d tensors (%d values) equal to the safetensors copy bit for bit, by "
                    + "stored type %s%n", ref.tensors().size(), values, byType);
            TensorInfo ids = w.tensors().get(POSITION_IDS);
            assertEquals(DType.I64, ids.dtype());
            assertArrayEquals(new long[] {1, 65}, ids.shape());
            float[] v = values(w, POSITION_IDS);
            for (int i = 0; i < v.length; i++) {
                assertEquals(i, v[i]);
            }
        }
    }

    @Test
    void theFixtureReallyHoldsViewsSharedStoragesAndBothDictKinds() {
        try (TorchWeights w = TorchWeights.open(DIR)) {
            TorchArchive a = w.archives().get(0);
            TorchArchive b = w.archives().get(1);
            assertFalse(a.tensor("mm_decoder.layers.0.self_attn.q_proj.weight").isContiguous());
            assertFalse(a.tensor("text_decoder.head.weight").isContiguous());
            assertFalse(b.tensor("image_decoder.decoder.unet.conv_in.weight").isContiguous());
            TorchTensor q = a.tensor("mm_decoder.layers.1.self_attn.q_proj.weight");
            TorchTensor k = a.tensor("mm_decoder.layers.1.self_attn.k_proj.weight");
            TorchTensor v = a.tensor("mm_decoder.layers.1.self_attn.v_proj.weight");
            assertEquals(q.storage(), k.storage());
            assertEquals(q.storage(), v.storage());
            assertEquals(q.numel(), k.offset());
            assertEquals(2 * q.numel(), v.offset());
            TorchTensor bias = a.tensor("context_feat_proj.bias");
            assertEquals(a.tensor("context_feat_proj.weight").storage(), bias.storage());
            assertTrue(bias.offset() > 0);
            assertEquals("3", a.version());
        }
    }

    @Test
    void aFolderWithoutTheIndexIsReadByScanningForBinFiles(@TempDir Path dir) throws Exception {
        for (String f : new String[] {"pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"}) {
            Files.copy(DIR.resolve(f), dir.resolve(f));
        }
        // Hugging Face also saves training_args.bin (a pickled object the reader would refuse): not a shard
        Files.copy(DIR.resolve("evil/posix_system.bin"), dir.resolve("training_args.bin"));
        try (WeightSource w = Checkpoints.open(dir); TorchWeights ref = TorchWeights.open(DIR)) {
            assertInstanceOf(TorchWeights.class, w);
            assertEquals(2, ((TorchWeights) w).archives().size());
            assertEquals(ref.tensors().keySet(), w.tensors().keySet());
        }
        // a single file, recognised by its first bytes whatever its name
        Path renamed = dir.resolve("weights.pt");
        Files.copy(DIR.resolve("pytorch_model-00001-of-00002.bin"), renamed);
        try (WeightSource w = Checkpoints.open(renamed)) {
            assertInstanceOf(TorchWeights.class, w);
            assertTrue(w.tensors().containsKey("soi_token"));
        }
    }

    @Test
    void anIndexThatDisagreesWithTheShardsIsRefused(@TempDir Path dir) throws Exception {
        for (String f : new String[] {"pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"}) {
            Files.copy(DIR.resolve(f), dir.resolve(f));
        }
        String index = Files.readString(DIR.resolve(TorchWeights.INDEX));
        String wrong = index.replace("\"soi_token\": \"pytorch_model-00001-of-00002.bin\"",
                "\"soi_token\": \"pytorch_model-00002-of-00002.bin\"");
        assertFalse(wrong.equals(index));
        Files.writeString(dir.resolve(TorchWeights.INDEX), wrong);
        WeightsException e = assertThrows(WeightsException.class, () -> TorchWeights.open(dir));
        assertTrue(e.getMessage().contains("'soi_token'") && e.getMessage().contains("pytorch_model-00001-of-00002.bin"),
                e.getMessage());
        Files.writeString(dir.resolve(TorchWeights.INDEX), index.replace("00002-of-00002.bin", "00003-of-00002.bin"));
        e = assertThrows(WeightsException.class, () -> TorchWeights.open(dir));
        assertTrue(e.getMessage().contains("pytorch_model-00003-of-00002.bin") && e.getMessage().contains("not found"),
                e.getMessage());
        System.out.println("index errors: " + e.getMessage());
    }

    @Test
    void throughTheKeyMapTheNamesAndShapesAreExactlyTheTinyModels() {
        Map<String, long[]> expected = new LinkedHashMap<>();
        MMInterleaved.shapes(ModelConfig.tiny(), expected);
        try (WeightSource w = KeyMaps.released(ModelConfig.tiny()).apply(TorchWeights.open(DIR))) {
            assertEquals(expected.keySet(), w.tensors().keySet());
            expected.forEach((n, s) -> assertTrue(Arrays.equals(s, w.tensors().get(n).shape()), n));
        }
    }

    @Test
    void engineLoadsAModelFolderWithTheReleasedBinLayout(@TempDir Path dir) throws Exception {
        NativeTests.assumeNative();
        Files.copy(TINY.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(TINY.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        try (var s = Files.list(DIR)) {
            for (Path p : s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".bin")
                    || p.toString().endsWith(".json")).toList()) {
                Files.copy(p, dir.resolve(p.getFileName()));
            }
        }
        try (Engine e = Engine.load(dir, Device.cpu())) {
            assertEquals("tiny", e.modelId());
        }
    }
}
