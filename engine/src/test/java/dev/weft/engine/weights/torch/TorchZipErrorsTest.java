package dev.weft.engine.weights.torch;

import dev.weft.engine.weights.Checkpoints;
import dev.weft.engine.weights.WeightSource;
import dev.weft.engine.weights.WeightsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broken or unusual archives: each gives one line naming the file and the problem. Also the reader on zips written
 * by Java's ZipOutputStream (no data descriptors, unlike torch's writer) and on strided views.
 */
class TorchZipErrorsTest {
    static final Path SHARD = TorchCheckpointTest.DIR.resolve("pytorch_model-00001-of-00002.bin");

    static String error(Path p) {
        WeightsException e = assertThrows(WeightsException.class, () -> Checkpoints.open(p).close());
        String m = e.getMessage();
        assertEquals(1, m.lines().count(), m);
        assertTrue(m.startsWith(p.toString()), m);
        System.out.println("error: " + m);
        return m;
    }

    static float[] read(WeightSource w, String name) {
        FloatBuffer b = w.float32(name).asFloatBuffer();
        float[] v = new float[b.remaining()];
        b.get(v);
        return v;
    }

    @Test
    void truncatedArchive(@TempDir Path dir) throws Exception {
        byte[] all = Files.readAllBytes(SHARD);
        Path p = dir.resolve("model.bin");
        Files.write(p, Arrays.copyOf(all, all.length / 2));
        assertTrue(error(p).contains("corrupt or truncated zip archive"));
    }

    @Test
    void corruptLocalHeaders(@TempDir Path dir) throws Exception {
        byte[] all = Files.readAllBytes(SHARD);
        // break the first local header after a third of the file; the directory at the end stays intact
        int at = all.length / 3;
        while (!(all[at] == 'P' && all[at + 1] == 'K' && all[at + 2] == 3 && all[at + 3] == 4)) {
            at++;
        }
        Arrays.fill(all, at, at + 4, (byte) 0);
        Path p = dir.resolve("model.bin");
        Files.write(p, all);
        assertTrue(error(p).contains("unexpected zip layout"));
    }

    @Test
    void junkAndOtherFormats(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("junk.bin");
        byte[] b = new byte[4096];
        new java.util.Random(1).nextBytes(b);
        b[0] = 'P';
        b[1] = 'K';
        b[2] = 3;
        b[3] = 4;
        Files.write(junk, b);
        assertTrue(error(junk).contains("corrupt or truncated zip archive"));
        Path legacy = dir.resolve("legacy.bin");
        Files.write(legacy, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46});
        assertTrue(error(legacy).contains("legacy torch.save format"));
        Path empty = dir.resolve("empty");
        Files.createDirectory(empty);
        assertTrue(error(empty).contains("no .safetensors or pytorch_model*.bin weights in this folder"));
    }

    @Test
    void aSafetensorsFileWhoseFirstByteIs0x80IsStillSafetensors(@TempDir Path dir) throws Exception {
        // header length 384 = 0x180: the file starts 0x80 0x01, like a pickle's PROTO opcode
        byte[] json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}".getBytes();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + 384 + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(384).put(json);
        while (b.position() < 8 + 384) {
            b.put((byte) ' ');
        }
        b.putFloat(2.5f);
        Path p = dir.resolve("w.bin");
        Files.write(p, b.array());
        try (WeightSource w = Checkpoints.open(p)) {
            assertArrayEquals(new float[] {2.5f}, read(w, "a"));
        }
    }

    @Test
    void compressedStoragesAreRefused(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("model.bin");
        TorchFiles.zip(p, "model", TorchFiles.oneTensor(4, 0, new long[] {2, 2}, new long[] {2, 1}),
                Map.of("0", TorchFiles.f32(1, 2, 3, 4)), true, "little");
        assertTrue(error(p).contains("storage entry 'model/data/0' is compressed (deflate)"));
    }

    @Test
    void bigEndianArchivesAreRefused(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("model.bin");
        TorchFiles.zip(p, "model", TorchFiles.oneTensor(4, 0, new long[] {4}, new long[] {1}),
                Map.of("0", TorchFiles.f32(1, 2, 3, 4)), false, "big");
        assertTrue(error(p).contains("big-endian"));
    }

    @Test
    void aViewPastItsStorageAndAShortStorageAreRefused(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("model.bin");
        TorchFiles.zip(p, "model", TorchFiles.oneTensor(4, 1, new long[] {2, 2}, new long[] {2, 1}),
                Map.of("0", TorchFiles.f32(1, 2, 3, 4)), false, null);
        assertTrue(error(p).contains("tensor 'w': view (offset 1, shape [2, 2], stride [2, 1]) reaches element 4 "
                + "of a storage of 4"));
        Path q = dir.resolve("short.bin");
        TorchFiles.zip(q, "short", TorchFiles.oneTensor(4, 0, new long[] {4}, new long[] {1}),
                Map.of("0", TorchFiles.f32(1, 2, 3)), false, null);
        assertTrue(error(q).contains("truncated: storage '0' holds 12 bytes but needs 16"));
    }

    @Test
    void stridedViewsAreGatheredInRowMajorOrder(@TempDir Path dir) throws Exception {
        // storage 0..11; w = storage[1:].as_strided((2, 3), (1, 4)), i.e. a transposed 3x2 slice with an offset
        float[] s = new float[12];
        for (int i = 0; i < s.length; i++) {
            s[i] = i;
        }
        Path p = dir.resolve("model.bin");
        TorchFiles.zip(p, "archive", TorchFiles.oneTensor(12, 1, new long[] {2, 3}, new long[] {1, 4}),
                Map.of("0", TorchFiles.f32(s)), false, "little");
        try (WeightSource w = Checkpoints.open(p)) {
            assertArrayEquals(new float[] {1, 5, 9, 2, 6, 10}, read(w, "w"));
        }
        // an expanded (stride 0) and an empty tensor
        Path q = dir.resolve("expand.bin");
        byte[] pickle = new TorchFiles.PickleBytes().proto(2).emptyDict()
                .str("e").tensor("FloatStorage", "0", 12, 2, new long[] {3, 2}, new long[] {0, 1}).setitem()
                .str("z").tensor("FloatStorage", "0", 12, 0, new long[] {0, 5}, new long[] {5, 1}).setitem()
                .stop().bytes();
        TorchFiles.zip(q, "expand", pickle, Map.of("0", TorchFiles.f32(s)), false, null);
        try (WeightSource w = Checkpoints.open(q)) {
            assertArrayEquals(new float[] {2, 3, 2, 3, 2, 3}, read(w, "e"));
            assertEquals(0, read(w, "z").length);
            assertArrayEquals(new long[] {0, 5}, w.tensors().get("z").shape());
        }
    }

    @Test
    void aDictThatIsNotAStateDictIsRefused(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("model.bin");
        byte[] pickle = new TorchFiles.PickleBytes().proto(2).emptyDict().str("epoch").integer(3).setitem().stop()
                .bytes();
        TorchFiles.zip(p, "model", pickle, Map.of(), false, null);
        assertTrue(error(p).contains("'epoch' is an int, expected a tensor"));
    }
}
