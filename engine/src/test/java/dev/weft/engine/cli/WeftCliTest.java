package dev.weft.engine.cli;

import dev.weft.engine.testing.NativeTests;
import dev.weft.engine.weights.DType;
import dev.weft.engine.weights.SafetensorsFile;
import dev.weft.engine.weights.SafetensorsWriter;
import dev.weft.engine.weights.TensorInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI end to end on the tiny model, and its one-line errors for bad input. */
class WeftCliTest {
    static final Path TINY = Path.of("../assets/tiny");

    record Result(int code, String out, String err) { }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = WeftCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void guard() {
        NativeTests.assumeNative();
    }

    @Test
    void infoCountsThePublishedModelWithoutAllocating() {
        Result r = run("info", "--preset", "mm-interleaved-13b");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("14.91 billion"), r.out());
    }

    @Test
    void textToImageWritesAPng(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("out.png");
        Result r = run("t2i", "--model", TINY.toString(), "-p", "a red circle on grass", "-o", png.toString(),
                "--steps", "3");
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(64, img.getWidth());
    }

    /** {@code --dtype fp16} on the CPU (slow there, but it runs): t2i and bench; a bad value is a one-line error. */
    @Test
    void dtypeFp16RunsOnTheCpu(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("half.png");
        Result r = run("t2i", "--model", TINY.toString(), "-p", "a red circle on grass", "-o", png.toString(),
                "--steps", "3", "--dtype", "fp16");
        assertEquals(0, r.code(), r.err());
        assertEquals(64, ImageIO.read(png.toFile()).getWidth());
        Result b = run("bench", "--model", TINY.toString(), "--dtype", "fp16", "--prompt-tokens", "4",
                "--decode-tokens", "2", "--steps", "1", "--repeats", "1", "--no-machine");
        assertEquals(0, b.code(), b.err());
        assertOneLineError(run("t2i", "--model", TINY.toString(), "-p", "x", "-o", png.toString(), "--dtype",
                "bf16"), "--dtype: expected fp32 or fp16, found bf16");
    }

    /** info's plan follows --dtype, else the load default of the device: fp16 on a GPU (no GPU needed to plan). */
    @Test
    void infoPlansInTheLoadPrecision() {
        Result gpu = run("info", "--preset", "mm-interleaved-13b", "--device", "gpu");
        assertEquals(0, gpu.code(), gpu.err());
        assertTrue(gpu.out().contains("memory plan: fp16 weights and compute on the GPU"), gpu.out());
        Result gpu32 = run("info", "--preset", "mm-interleaved-13b", "--device", "gpu", "--dtype", "fp32");
        assertTrue(gpu32.out().contains("memory plan: fp32 weights and compute on the GPU"), gpu32.out());
        Result cpu = run("info", "--preset", "mm-interleaved-13b");
        assertTrue(cpu.out().contains("memory plan: fp32 weights and compute on the CPU"), cpu.out());
        Result bf16 = run("info", "--preset", "mm-interleaved-13b", "--device", "gpu", "--dtype", "bf16");
        assertTrue(bf16.out().contains("this is what bf16 compute would need"), bf16.out());
    }

    @Test
    void generateContinuesTheSampleDocument(@TempDir Path dir) throws Exception {
        Result r = run("generate", "../samples/docs/story.json", "--model", TINY.toString(), "-o", dir.toString(),
                "--steps", "3", "--max-tokens", "6");
        assertEquals(0, r.code(), r.err());
        String json = Files.readString(dir.resolve("document.json"));
        assertTrue(json.contains("image-02.png"), json);
        assertTrue(Files.exists(dir.resolve("image-02.png")));
        assertTrue(Files.readString(dir.resolve("story.md")).contains("(generated)"));
    }

    private static void assertOneLineError(Result r, String... mustContain) {
        assertEquals(WeftCli.BAD_INPUT, r.code(), r.err());
        String[] lines = r.err().strip().lines().filter(l -> l.startsWith("weft: error:")).toArray(String[]::new);
        assertEquals(1, lines.length, r.err());
        for (String s : mustContain) {
            assertTrue(lines[0].contains(s), "'" + s + "' not in: " + lines[0]);
        }
    }

    private static Path modelCopy(Path dir) throws Exception {
        Files.copy(TINY.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(TINY.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        return dir;
    }

    @Test
    void truncatedWeights(@TempDir Path dir) throws Exception {
        byte[] all = Files.readAllBytes(TINY.resolve("model.safetensors"));
        Files.write(modelCopy(dir).resolve("model.safetensors"), java.util.Arrays.copyOf(all, all.length / 2));
        assertOneLineError(run("t2i", "--model", dir.toString(), "-p", "a", "-o", dir.resolve("x.png").toString()),
                "model.safetensors", "truncated");
    }

    @Test
    void corruptWeights(@TempDir Path dir) throws Exception {
        byte[] junk = new byte[4096];
        new java.util.Random(1).nextBytes(junk);
        Files.write(modelCopy(dir).resolve("model.safetensors"), junk);
        assertOneLineError(run("t2i", "--model", dir.toString(), "-p", "a", "-o", dir.resolve("x.png").toString()),
                "model.safetensors", "corrupt");
    }

    @Test
    void missingWeights(@TempDir Path dir) throws Exception {
        assertOneLineError(run("t2i", "--model", modelCopy(dir).toString(), "-p", "a", "-o",
                dir.resolve("x.png").toString()), "no .safetensors");
    }

    @Test
    void tensorOfTheWrongShape(@TempDir Path dir) throws Exception {
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(TINY.resolve("model.safetensors"))) {
            for (TensorInfo t : f.tensors().values()) {
                if (t.name().equals("mm_decoder.norm.weight")) {
                    w.put(t.name(), new long[] {32}, new float[32], DType.F32);
                    continue;
                }
                FloatBuffer fb = f.float32(t.name()).asFloatBuffer();
                float[] v = new float[fb.remaining()];
                fb.get(v);
                w.put(t.name(), t.shape(), v, DType.F16);
            }
        }
        w.write(modelCopy(dir).resolve("model.safetensors"));
        assertOneLineError(run("t2i", "--model", dir.toString(), "-p", "a", "-o", dir.resolve("x.png").toString()),
                "mm_decoder.norm.weight", "expected [64] found [32]");
    }

    @Test
    void emptyDocument(@TempDir Path dir) throws Exception {
        Path doc = dir.resolve("empty.json");
        Files.writeString(doc, "{\"items\": [{\"text\": \"  \"}]}");
        assertOneLineError(run("generate", doc.toString(), "--model", TINY.toString(), "-o", dir.toString()),
                "empty.json", "empty document");
    }

    @Test
    void undecodableImage(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("broken.png");
        Files.writeString(png, "this is not a picture");
        assertOneLineError(run("caption", png.toString(), "--model", TINY.toString()), "broken.png",
                "cannot decode image");
        assertOneLineError(run("style", "-r", png.toString(), "-t", "a cat", "-o", dir.resolve("o.png").toString(),
                "--model", TINY.toString()), "broken.png");
    }
}
