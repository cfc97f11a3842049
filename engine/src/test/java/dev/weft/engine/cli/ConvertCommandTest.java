package dev.weft.engine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.weights.DType;
import dev.weft.engine.weights.KeyMaps;
import dev.weft.engine.weights.SafetensorsFile;
import dev.weft.engine.weights.SafetensorsWeights;
import dev.weft.engine.weights.TensorInfo;
import dev.weft.engine.weights.WeightSource;
import dev.weft.engine.weights.torch.TorchFiles;
import dev.weft.engine.weights.torch.TorchWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code weft convert} on the torch.save fixture of the tiny model ({@code fixtures/torch_ckpt}): fp32 output equals
 * the checkpoint bit for bit, fp16 / bf16 output equals it rounded to nearest even; shards, index, key map, peak heap
 * line, and one-line errors. Needs no native library.
 */
class ConvertCommandTest {
    static final Path CKPT = Path.of("src/test/resources/fixtures/torch_ckpt");
    static final String POS_IDS = "visual_tokenizer.encoder.vision_model.embeddings.position_ids";

    record Result(int code, String out, String err) { }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = WeftCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static float[] values(WeightSource s, String name) {
        FloatBuffer b = s.float32(name).asFloatBuffer();
        float[] v = new float[b.remaining()];
        b.get(v);
        return v;
    }

    static float round(float v, DType t) {
        return switch (t) {
            case F16 -> DType.halfToFloat(DType.floatToHalf(v));
            case BF16 -> Float.intBitsToFloat((DType.floatToBf16(v) & 0xffff) << 16);
            default -> v;
        };
    }

    /** Converts with the given dtype and compares every tensor with the checkpoint rounded to that dtype. */
    static void roundTrip(Path out, String dtype, DType t) throws Exception {
        Result r = run("convert", CKPT.toString(), "-o", out.toString(), "--dtype", dtype);
        assertEquals(0, r.code(), r.err());
        System.out.print(r.out());
        assertTrue(r.out().contains("peak heap "), r.out());
        try (TorchWeights src = TorchWeights.open(CKPT); SafetensorsWeights dst = SafetensorsWeights.open(out)) {
            assertEquals(src.tensors().size() - 1, dst.tensors().size(), "all but position_ids");
            assertFalse(dst.tensors().containsKey(POS_IDS));
            long values = 0;
            double maxRel = 0;
            for (TensorInfo info : dst.tensors().values()) {
                assertEquals(t, info.dtype(), info.name());
                assertArrayEquals(src.tensors().get(info.name()).shape(), info.shape(), info.name());
                float[] a = values(src, info.name());
                float[] b = values(dst, info.name());
                for (int i = 0; i < a.length; i++) {
                    if (Float.floatToIntBits(round(a[i], t)) != Float.floatToIntBits(b[i])) {
                        throw new AssertionError(info.name() + "[" + i + "]: " + a[i] + " -> " + b[i]);
                    }
                    if (Math.abs(a[i]) > 1e-4) {
                        maxRel = Math.max(maxRel, Math.abs(a[i] - b[i]) / Math.abs(a[i]));
                    }
                }
                values += a.length;
            }
            System.out.printf("convert --dtype %s: %d tensors, %d values equal to the checkpoint rounded to %s; "
                    + "max relative change %.3g%n", dtype, dst.tensors().size(), values, t.tag(), maxRel);
            double bound = t == DType.F16 ? 0x1p-11 : t == DType.BF16 ? 0x1p-8 : 0;
            assertTrue(maxRel <= bound, "max relative change " + maxRel);
        }
    }

    @Test
    void fp32IsExact(@TempDir Path dir) throws Exception {
        roundTrip(dir.resolve("fp32"), "fp32", DType.F32);
        JsonNode index = new ObjectMapper().readTree(dir.resolve("fp32/model.safetensors.index.json").toFile());
        assertEquals(860, index.path("weight_map").size());
        assertEquals("model-00001-of-00001.safetensors", index.path("weight_map").path("soi_token").asText());
        assertEquals(1260161L * 4, index.path("metadata").path("total_size").asLong());
    }

    @Test
    void fp16IsWithinFp16Rounding(@TempDir Path dir) throws Exception {
        roundTrip(dir.resolve("fp16"), "fp16", DType.F16);
    }

    @Test
    void bf16IsWithinBf16Rounding(@TempDir Path dir) throws Exception {
        roundTrip(dir.resolve("bf16"), "bf16", DType.BF16);
    }

    @Test
    void shardsFollowTheShardSizeAndTheIndexListsEveryTensor(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("sharded");
        Result r = run("convert", CKPT.toString(), "-o", out.toString(), "--dtype", "fp32", "--shard-size", "1MB");
        assertEquals(0, r.code(), r.err());
        try (var s = Files.list(out)) {
            long shards = s.filter(p -> p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors")).count();
            assertTrue(shards >= 6, "5 MB in shards of at most 1 MB: " + shards + "\n" + r.out());
        }
        JsonNode wm = new ObjectMapper().readTree(out.resolve("model.safetensors.index.json").toFile()).path("weight_map");
        long total = 0;
        for (var it = wm.fields(); it.hasNext(); ) {
            var e = it.next();
            try (SafetensorsFile f = SafetensorsFile.open(out.resolve(e.getValue().asText()))) {
                assertTrue(f.tensors().containsKey(e.getKey()), e.getKey());
                total++;
            }
        }
        assertEquals(860, total);
        try (var s = Files.list(out)) {
            for (Path p : s.toList()) {
                if (p.getFileName().toString().startsWith("model-")) {
                    assertTrue(Files.size(p) <= 1_000_000 + 100_000, p + " " + Files.size(p)); // data + header
                }
            }
        }
        // converting again into the same folder is refused, then allowed with --overwrite (stale shards removed)
        Result again = run("convert", CKPT.toString(), "-o", out.toString());
        assertEquals(WeftCli.BAD_INPUT, again.code());
        assertTrue(again.err().strip().lines().count() == 1 && again.err().contains("use --overwrite"), again.err());
        Result over = run("convert", CKPT.toString(), "-o", out.toString(), "--overwrite");
        assertEquals(0, over.code(), over.err());
        try (var s = Files.list(out)) {
            assertEquals(2, s.count(), "one shard and the index remain");
        }
    }

    @Test
    void aTargetConfigResizesThePositionEmbedding(@TempDir Path dir) throws Exception {
        ModelConfig tiny = ModelConfig.tiny();
        VisionConfig v = tiny.vision();
        ModelConfig at48 = new ModelConfig(tiny.name(), new VisionConfig(48, v.patchSize(), v.hiddenSize(),
                v.numLayers(), v.numHeads(), v.intermediateSize(), v.layerNormEps(), v.convInplane(),
                v.adapterPoints(), v.deformRatio(), v.cffnRatio(), v.interactions()), tiny.visualResampler(),
                tiny.llm(), tiny.contextResampler(), tiny.unet(), tiny.vae(), tiny.scheduler(), tiny.tokens(),
                tiny.decoderImageSize());
        Path cfg = dir.resolve("config.json");
        ModelConfig.mapper().writeValue(cfg.toFile(), at48);
        Path out = dir.resolve("out");
        Result r = run("convert", CKPT.toString(), "-o", out.toString(), "--dtype", "fp32", "--config", cfg.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(KeyMaps.CLIP_POSITION_EMBEDDING + ": [65, 32] -> [145, 32]"), r.out());
        try (SafetensorsWeights w = SafetensorsWeights.open(out)) {
            assertArrayEquals(new long[] {145, 32}, w.tensors().get(KeyMaps.CLIP_POSITION_EMBEDDING).shape());
        }
    }

    @Test
    void badInputGivesOneLineAndExitCode2(@TempDir Path dir) throws Exception {
        byte[] all = Files.readAllBytes(CKPT.resolve("pytorch_model-00002-of-00002.bin"));
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, Arrays.copyOf(all, all.length - 100));
        assertOneLine(run("convert", cut.toString(), "-o", dir.resolve("o1").toString()),
                "cut.bin", "corrupt or truncated zip archive");
        assertOneLine(run("convert", CKPT.resolve("evil/posix_system.bin").toString(), "-o",
                dir.resolve("o2").toString()), "refuses pickle global posix.system");
        assertOneLine(run("convert", CKPT.toString(), "-o", dir.resolve("o3").toString(), "--dtype", "int8"),
                "--dtype: expected fp16, bf16 or fp32, found int8");
        assertOneLine(run("convert", CKPT.toString(), "-o", dir.resolve("o4").toString(), "--shard-size", "lots"),
                "--shard-size");
        // a value fp16 cannot hold is an error, not an infinity; the shard already written is removed
        Path big = dir.resolve("big.bin");
        byte[] pickle = new TorchFiles.PickleBytes().proto(2).emptyDict()
                .str("a").tensor("FloatStorage", "0", 4, 0, new long[] {4}, new long[] {1}).setitem()
                .str("w").tensor("FloatStorage", "1", 1, 0, new long[] {1}, new long[] {1}).setitem().stop().bytes();
        TorchFiles.zip(big, "big", pickle, Map.of("0", TorchFiles.f32(1, 2, 3, 4), "1", TorchFiles.f32(70000f)),
                false, null);
        Path o5 = dir.resolve("o5");
        assertOneLine(run("convert", big.toString(), "-o", o5.toString(), "--dtype", "fp16", "--shard-size", "8"),
                "w: value 70000.0 is beyond the fp16 range");
        try (var s = Files.list(o5)) {
            assertEquals(0, s.count(), "no partial files");
        }
        assertEquals(0, run("convert", big.toString(), "-o", dir.resolve("o6").toString(), "--dtype", "bf16").code());
    }

    @Test
    void aCheckpointLargerThanTheHeapConvertsInABoundedHeap(@TempDir Path dir) throws Exception {
        // 96 MB of fp32 in 12 tensors of 8 MB, converted by a separate JVM with a 32 MB heap (and so 32 MB of
        // direct memory): only streaming tensor by tensor can do it
        int tensors = 12;
        int n = 2 << 20;
        TorchFiles.PickleBytes p = new TorchFiles.PickleBytes().proto(2).emptyDict();
        Map<String, byte[]> storages = new LinkedHashMap<>();
        for (int t = 0; t < tensors; t++) {
            p.str("layers." + t + ".weight").tensor("FloatStorage", Integer.toString(t), n, 0,
                    new long[] {2048, 1024}, new long[] {1024, 1}).setitem();
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) Math.sin(t * 1000.0 + i * 1e-3);
            }
            storages.put(Integer.toString(t), TorchFiles.f32(v));
        }
        Path src = dir.resolve("big.bin");
        TorchFiles.zip(src, "big", p.stop().bytes(), storages, false, "little");
        storages.clear();
        Path out = dir.resolve("out");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process proc = new ProcessBuilder(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"),
                WeftCli.class.getName(), "convert", src.toString(), "-o", out.toString(), "--dtype", "fp16")
                .redirectErrorStream(true).start();
        String log = new String(proc.getInputStream().readAllBytes());
        assertEquals(0, proc.waitFor(), log);
        System.out.print("convert with -Xmx32m, " + Files.size(src) / (1 << 20) + " MiB input:\n" + log);
        Matcher m = Pattern.compile("peak heap ([0-9.]+) MiB").matcher(log);
        assertTrue(m.find(), log);
        assertTrue(Double.parseDouble(m.group(1)) < 32, log);
        try (SafetensorsWeights w = SafetensorsWeights.open(out)) {
            assertEquals(tensors, w.tensors().size());
            float[] v = values(w, "layers.11.weight");
            assertEquals(DType.halfToFloat(DType.floatToHalf((float) Math.sin(11 * 1000.0 + 12345 * 1e-3))), v[12345]);
        }
    }

    static void assertOneLine(Result r, String... parts) {
        assertEquals(WeftCli.BAD_INPUT, r.code(), r.out() + r.err());
        String[] lines = r.err().strip().lines().toArray(String[]::new);
        assertEquals(1, lines.length, r.err());
        for (String p : parts) {
            assertTrue(lines[0].contains(p), "'" + p + "' not in " + lines[0]);
        }
        System.out.println(lines[0]);
    }
}
