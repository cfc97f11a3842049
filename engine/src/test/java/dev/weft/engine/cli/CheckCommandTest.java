package dev.weft.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.engine.weights.DType;
import dev.weft.engine.weights.SafetensorsFile;
import dev.weft.engine.weights.SafetensorsWriter;
import dev.weft.engine.weights.TensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code weft check} on the torch.save fixture of the tiny model ({@code fixtures/torch_ckpt}) and its checksums as
 * torch.load reads them ({@code checksums.json}, from {@code export_checksums.py}): everything matches; a wrong
 * config, a required stored type, a changed sum, head value or shape each fail with exit 1 and name the tensor; and
 * the command runs in a JVM without DJL's PyTorch jars, leaving the DJL cache untouched.
 */
class CheckCommandTest {
    static final Path CKPT = Path.of("src/test/resources/fixtures/torch_ckpt");
    static final Path EXPECT = CKPT.resolve("checksums.json");

    /** The CLI in this JVM (shared with {@link WeftCliTest}). */
    static WeftCliTest.Result run(String... args) {
        return WeftCliTest.run(args);
    }

    @Test
    void theFixtureMatchesTheTinyPresetAndTorchsChecksums() {
        WeftCliTest.Result r = run("check", CKPT.toString(), "--preset", "tiny", "--expect", EXPECT.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("861 tensors, 1,260,226 parameters, 0 missing, 0 unexpected, 0 wrong shape, "
                + "0 wrong dtype, 1 dropped by the key map"), r.out());
        assertTrue(r.out().contains("dropped: visual_tokenizer.encoder.vision_model.embeddings.position_ids I64 [1, 65]"),
                r.out());
        assertTrue(r.out().contains("checksums: 861 checked, 861 ok, 0 failed"), r.out());
        assertTrue(r.out().contains("peak heap"), r.out());
        assertTrue(r.out().contains("OK: the checkpoint matches"), r.out());
        assertFalse(r.out().contains("FAIL"), r.out());
    }

    @Test
    void theSafetensorsCopyMatchesItsConfigFile() {
        WeftCliTest.Result r = run("check", "../assets/tiny/model.safetensors", "--config", "../assets/tiny/config.json",
                "--dtype", "fp32", "--list");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("(safetensors, 1 file(s))"), r.out());
        assertTrue(r.out().contains("860 tensors, 1,260,161 parameters, 0 missing, 0 unexpected, 0 wrong shape, "
                + "0 wrong dtype, 0 dropped"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("text_decoder.head.weight") && l.contains("model.safetensors")
                && l.endsWith("ok")), r.out());
    }

    @Test
    void anotherConfigGivesMissingUnexpectedAndWrongShapes() {
        WeftCliTest.Result r = run("check", CKPT.toString(), "--preset", "weft-small", "--show", "2");
        assertEquals(CheckCommand.MISMATCH, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("861 tensors, 1,260,226 parameters, 18 missing, 0 unexpected, 849 wrong shape, "
                + "0 wrong dtype, 1 dropped by the key map"), r.out());
        assertTrue(r.out().contains("wrong shape: context_feat_proj.bias: expected [256], found [64]"), r.out());
        assertTrue(r.out().contains("missing: visual_tokenizer.perceiver_resampler.blip2qformer.encoder.layer.1."),
                r.out());
        assertTrue(r.out().contains("... and 16 more missing"), r.out());
        assertTrue(r.out().contains("more wrong shape"), r.out());
        assertTrue(r.out().contains("MISMATCH"), r.out());
    }

    @Test
    void aTensorTheModelDoesNotHaveIsUnexpectedAndOneLeftOutIsMissing(@TempDir Path dir) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile tiny = SafetensorsFile.open(Path.of("../assets/tiny/model.safetensors"))) {
            for (TensorInfo t : tiny.tensors().values()) {
                if (!t.name().equals("soi_token")) {
                    float[] v = new float[(int) t.numel()];
                    tiny.float32(t.name()).asFloatBuffer().get(v);
                    w.put(t.name(), t.shape(), v, DType.F32);
                }
            }
        }
        w.put("module.extra.weight", new long[] {2}, new float[] {1, 2}, DType.F32);
        Path f = dir.resolve("model.safetensors");
        w.write(f);
        WeftCliTest.Result r = run("check", f.toString(), "--preset", "tiny");
        assertEquals(CheckCommand.MISMATCH, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("860 tensors, 1,260,099 parameters, 1 missing, 1 unexpected, 0 wrong shape"),
                r.out());
        assertTrue(r.out().contains("missing: soi_token [1, 64]"), r.out());
        assertTrue(r.out().contains("unexpected: module.extra.weight (as extra.weight) F32 [2]"), r.out());
    }

    @Test
    void aRequiredStoredTypeFlagsTheOthers() {
        WeftCliTest.Result r = run("check", CKPT.toString(), "--preset", "tiny", "--dtype", "fp32", "--show", "1");
        assertEquals(CheckCommand.MISMATCH, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("0 wrong shape, 581 wrong dtype"), r.out());   // 513 F16 + 68 BF16
        assertTrue(r.out().contains("expected F32, found BF16") || r.out().contains("expected F32, found F16"),
                r.out());
    }

    @Test
    void aChangedSumHeadOrShapeFailsAndNamesTheTensor(@TempDir Path dir) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = (ObjectNode) om.readTree(EXPECT.toFile());
        ObjectNode ts = (ObjectNode) root.get("tensors");
        ObjectNode emb = (ObjectNode) ts.get("mm_decoder.embed_tokens.weight");
        emb.put("sum", emb.get("sum").asDouble() + 1e-6 * emb.get("abs_sum").asDouble());
        ObjectNode head = (ObjectNode) ts.get("text_decoder.head.weight");
        ArrayNode h = (ArrayNode) head.get("head");
        h.set(3, om.getNodeFactory().numberNode(Math.nextUp((float) h.get(3).asDouble())));
        ObjectNode conv = (ObjectNode) ts.get("image_decoder.decoder.unet.conv_in.weight");
        conv.putArray("shape").add(32).add(4).add(9);
        ObjectNode none = ts.putObject("no.such.tensor").put("dtype", "float32").put("sum", 0.0).put("abs_sum", 0.0);
        none.putArray("shape").add(1);
        none.putArray("head");
        Path bad = dir.resolve("bad.json");
        om.writeValue(bad.toFile(), root);

        WeftCliTest.Result r = run("check", CKPT.toString(), "--preset", "tiny", "--expect", bad.toString(), "--threads", "2");
        assertEquals(CheckCommand.MISMATCH, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("0 missing, 0 unexpected, 0 wrong shape, 0 wrong dtype"), r.out());
        List<String> fails = r.out().lines().filter(l -> l.startsWith("  FAIL")).toList();
        assertEquals(4, fails.size(), r.out());
        assertTrue(fails.stream().anyMatch(l -> l.contains("mm_decoder.embed_tokens.weight") && l.contains("rel 1.00e-06")
                && l.contains("; sum expected")), r.out());
        assertTrue(fails.stream().anyMatch(l -> l.contains("text_decoder.head.weight") && l.contains("; head[3]")),
                r.out());
        assertTrue(fails.stream().anyMatch(l -> l.contains("conv_in.weight: expected float16 [32, 4, 9], found F16 "
                + "[32, 4, 3, 3]")), r.out());
        assertTrue(fails.stream().anyMatch(l -> l.contains("no.such.tensor: not in the checkpoint")), r.out());
        assertTrue(r.out().contains("checksums: 862 checked, 858 ok, 4 failed; worst relative difference 1.00e-06 "
                + "(mm_decoder.embed_tokens.weight)"), r.out());
    }

    @Test
    void badInputExitsWithTwoAndOneLine(@TempDir Path dir) throws IOException {
        WeftCliTest.Result none = run("check", CKPT.toString());
        assertEquals(WeftCli.BAD_INPUT, none.code());
        assertTrue(none.err().contains("--preset NAME or --config FILE"), none.err());
        Path junk = dir.resolve("junk.json");
        Files.writeString(junk, "{\"tensors\": [1, 2]}");
        WeftCliTest.Result r = run("check", CKPT.toString(), "--preset", "tiny", "--expect", junk.toString());
        assertEquals(WeftCli.BAD_INPUT, r.code());
        assertTrue(r.err().contains("junk.json: expected {\"tensors\""), r.err());
        WeftCliTest.Result missing = run("check", dir.resolve("nope").toString(), "--preset", "tiny");
        assertEquals(WeftCli.BAD_INPUT, missing.code());
        assertTrue(missing.err().contains("nope: weights not found"), missing.err());
    }

    /**
     * The proof that check needs no libtorch: a fresh JVM whose class path has no DJL PyTorch jar (engine, JNI or
     * native), offline, with an empty DJL cache; DJL would unpack or look for libtorch there if its engine started.
     */
    @Test
    void runsWithoutThePyTorchJarsAndLeavesTheDjlCacheEmpty(@TempDir Path dir) throws Exception {
        String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains("pytorch")).collect(Collectors.joining(File.pathSeparator));
        assertTrue(Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .anyMatch(e -> e.contains("pytorch-engine")), "the test class path has the engine to leave out");
        Path cache = Files.createDirectories(dir.resolve("djl-cache"));
        Path home = Files.createDirectories(dir.resolve("home"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-Dai.djl.offline=true", "-Duser.home=" + home, "-cp", cp,
                "dev.weft.engine.cli.WeftCli", "check", CKPT.toString(), "--preset", "tiny", "--expect",
                EXPECT.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DJL_CACHE_DIR", cache.toString());
        pb.environment().put("ENGINE_CACHE_DIR", cache.toString());
        pb.environment().put("DJL_OFFLINE", "true");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("checksums: 861 checked, 861 ok, 0 failed"), out);
        try (Stream<Path> s = Files.list(cache)) {
            assertEquals(List.of(), s.toList(), "DJL's cache stays empty");
        }
    }
}
