package dev.weft.engine.weights.torch;

import dev.weft.engine.weights.WeightSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A checkpoint over 4 GB, as the released shards are (34 and 25 GB): a zip64 archive whose second entry is a
 * 4.3 GB storage and whose later entries lie past the 4 GB mark, so sizes and local-header offsets live in zip64
 * extra fields and the directory is found through the zip64 end record. The file is sparse (the storage is a hole
 * of zeros but for its last 16 bytes), so it takes a few kB of disk. Written by hand here, since a real one would
 * need 4 GB of torch.save.
 */
class TorchZip64Test {
    static final long BIG = 4_295_000_064L;          // bytes of storage "0": past 2^32
    static final int ZIP64 = 0xffffffff;

    record Entry(String name, long offset, long size, int crc, boolean sparse) { }

    @Test
    void storagesPastFourGigabytesAreMappedAtTheirZip64Offsets(@TempDir Path dir) throws Exception {
        long numel = BIG / 4;
        byte[] pickle = new TorchFiles.PickleBytes().proto(2).emptyDict()
                .str("tail").tensor("FloatStorage", "0", numel, numel - 4, new long[] {4}, new long[] {1}).setitem()
                .str("after").tensor("FloatStorage", "1", 3, 0, new long[] {3}, new long[] {1}).setitem()
                .stop().bytes();
        byte[] tail = TorchFiles.f32(1.5f, -2.5f, 3.25f, 4f);
        byte[] after = TorchFiles.f32(7f, 8f, 9f);
        Path p = dir.resolve("huge.bin");
        List<Entry> entries = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.SPARSE)) {
            long pos = 0;
            pos = put(ch, pos, entries, "huge/data.pkl", pickle);
            // storage 0: local header with zip64 sizes, a hole, then its last 16 bytes
            int crc = zerosThenCrc(BIG - tail.length, tail);
            byte[] name = "huge/data/0".getBytes(StandardCharsets.UTF_8);
            ByteBuffer h = local(name, crc, ZIP64, ZIP64, 20);
            h.putShort((short) 1).putShort((short) 16).putLong(BIG).putLong(BIG);
            entries.add(new Entry("huge/data/0", pos, BIG, crc, true));
            pos += write(ch, pos, h.flip());
            long dataStart = pos;
            write(ch, dataStart + BIG - tail.length, ByteBuffer.wrap(tail));
            pos = dataStart + BIG;
            pos = put(ch, pos, entries, "huge/data/1", after);
            pos = put(ch, pos, entries, "huge/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            directory(ch, pos, entries);
        }
        assertEquals(true, Files.size(p) > (1L << 32));
        try (WeightSource w = TorchWeights.open(p)) {
            assertArrayEquals(new float[] {1.5f, -2.5f, 3.25f, 4f}, read(w, "tail"));
            assertArrayEquals(new float[] {7f, 8f, 9f}, read(w, "after"));
            System.out.printf("zip64: %.2f GB sparse archive, tensors read at offsets past 4 GB%n", Files.size(p) / 1e9);
        }
    }

    static float[] read(WeightSource w, String name) {
        FloatBuffer b = w.float32(name).asFloatBuffer();
        float[] v = new float[b.remaining()];
        b.get(v);
        return v;
    }

    /** CRC-32 of {@code zeros} zero bytes followed by {@code tail}. */
    static int zerosThenCrc(long zeros, byte[] tail) {
        CRC32 c = new CRC32();
        byte[] z = new byte[1 << 20];
        for (long left = zeros; left > 0; left -= z.length) {
            c.update(z, 0, (int) Math.min(z.length, left));
        }
        c.update(tail);
        return (int) c.getValue();
    }

    static ByteBuffer local(byte[] name, int crc, int csize, int usize, int extraLen) {
        ByteBuffer h = ByteBuffer.allocate(30 + name.length + extraLen).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0x04034b50).putShort((short) 45).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0x21).putInt(crc).putInt(csize).putInt(usize)
                .putShort((short) name.length).putShort((short) extraLen).put(name);
        return h;
    }

    /** A small STORED entry with a plain local header. */
    static long put(FileChannel ch, long pos, List<Entry> entries, String name, byte[] data) throws IOException {
        CRC32 c = new CRC32();
        c.update(data);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer h = local(n, (int) c.getValue(), data.length, data.length, 0);
        entries.add(new Entry(name, pos, data.length, (int) c.getValue(), false));
        pos += write(ch, pos, h.flip());
        return pos + write(ch, pos, ByteBuffer.wrap(data));
    }

    /** Central directory with zip64 extras where a field does not fit, then the zip64 end record and locator. */
    static void directory(FileChannel ch, long cdStart, List<Entry> entries) throws IOException {
        long pos = cdStart;
        for (Entry e : entries) {
            byte[] n = e.name.getBytes(StandardCharsets.UTF_8);
            boolean bigSize = e.size >= 0xffffffffL;
            boolean bigOffset = e.offset >= 0xffffffffL;
            int extra = (bigSize || bigOffset) ? 4 + (bigSize ? 16 : 0) + (bigOffset ? 8 : 0) : 0;
            ByteBuffer c = ByteBuffer.allocate(46 + n.length + extra).order(ByteOrder.LITTLE_ENDIAN);
            c.putInt(0x02014b50).putShort((short) 45).putShort((short) 45).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0x21).putInt(e.crc)
                    .putInt(bigSize ? ZIP64 : (int) e.size).putInt(bigSize ? ZIP64 : (int) e.size)
                    .putShort((short) n.length).putShort((short) extra).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putInt(0).putInt(bigOffset ? ZIP64 : (int) e.offset).put(n);
            if (extra > 0) {
                c.putShort((short) 1).putShort((short) (extra - 4));
                if (bigSize) {
                    c.putLong(e.size).putLong(e.size);
                }
                if (bigOffset) {
                    c.putLong(e.offset);
                }
            }
            pos += write(ch, pos, c.flip());
        }
        long cdSize = pos - cdStart;
        long eocd64 = pos;
        ByteBuffer end = ByteBuffer.allocate(56 + 20 + 22).order(ByteOrder.LITTLE_ENDIAN);
        end.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                .putLong(entries.size()).putLong(entries.size()).putLong(cdSize).putLong(cdStart);
        end.putInt(0x07064b50).putInt(0).putLong(eocd64).putInt(1);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) entries.size())
                .putShort((short) entries.size()).putInt((int) cdSize).putInt(ZIP64).putShort((short) 0);
        write(ch, pos, end.flip());
    }

    static long write(FileChannel ch, long pos, ByteBuffer b) throws IOException {
        long n = 0;
        while (b.hasRemaining()) {
            n += ch.write(b, pos + n);
        }
        return n;
    }
}
