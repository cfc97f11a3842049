package dev.weft.engine.world;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shards: same seed gives the same bytes on any number of threads; the numpy reader loads them. */
class WorldDataTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path READER_TEST = Path.of("training/weft_train/test_world_data.py");

    private static WorldWriter.Options opts(long seed, Path out, int threads) {
        return new WorldWriter.Options(seed, 26, out, 10, threads, WorldSample.Mix.DEFAULT, false);
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void sameSeedSameBytesOnAnyThreadCount(@TempDir Path tmp) throws IOException {
        WorldWriter.Summary one = WorldWriter.write(opts(5, tmp.resolve("a"), 1));
        WorldWriter.write(opts(5, tmp.resolve("b"), 2));
        WorldWriter.write(opts(6, tmp.resolve("c"), 2));
        List<Path> a = files(tmp.resolve("a"));
        List<Path> b = files(tmp.resolve("b"));
        assertEquals(a.stream().map(Path::getFileName).toList(), b.stream().map(Path::getFileName).toList());
        assertEquals(3 * 3 + 3, a.size(), "3 shards of 3 files, manifest, tokenizer, palette");
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(Files.readAllBytes(a.get(i)), Files.readAllBytes(b.get(i)), a.get(i).toString());
        }
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(tmp.resolve("a/shard-00000.images.npy")),
                Files.readAllBytes(tmp.resolve("c/shard-00000.images.npy"))), "another seed, other pictures");
        assertEquals(3, one.shards());
        // the .npy header: magic, version 1.0, 64-byte aligned, then exactly N x 128 x 128 x 3 bytes
        byte[] npy = Files.readAllBytes(tmp.resolve("a/shard-00000.images.npy"));
        assertEquals((byte) 0x93, npy[0]);
        assertEquals("NUMPY", new String(npy, 1, 5, StandardCharsets.US_ASCII));
        int hl = (npy[8] & 0xFF) | (npy[9] & 0xFF) << 8;
        assertEquals(0, (10 + hl) % 64);
        String header = new String(npy, 10, hl, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '|u1', 'fortran_order': False, 'shape': ("), header);
        long rows = Long.parseLong(header.substring(header.indexOf('(') + 1, header.indexOf(',', header.indexOf('('))));
        assertEquals(10 + hl + rows * 128 * 128 * 3, npy.length);
    }

    @Test
    void numpyReaderLoadsTheShards(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON) && Files.isRegularFile(READER_TEST),
                "needs /usr/bin/python3 and the reader test");
        Process probe = new ProcessBuilder(PYTHON.toString(), "-c", "import numpy").start();
        Assumptions.assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0, "needs numpy");
        WorldWriter.write(new WorldWriter.Options(8, 40, tmp, 16, 0, WorldSample.Mix.DEFAULT, true),
                new PrintStream(new ByteArrayOutputStream()));
        Process p = new ProcessBuilder(PYTHON.toString(), READER_TEST.toString(), tmp.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "reader test finishes");
        System.out.print(out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("world data OK: 40 records"), out);
    }
}
