package dev.weft.engine.weights.torch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds pickles opcode by opcode and torch.save-style zip archives in Java, for tests of the reader. */
public final class TorchFiles {
    private TorchFiles() { }

    /** A pickle written opcode by opcode. */
    public static final class PickleBytes {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        public PickleBytes op(int... ops) {
            for (int o : ops) {
                b.write(o);
            }
            return this;
        }

        public PickleBytes proto(int p) {
            return op(0x80, p);
        }

        /** GLOBAL "module\nname\n". */
        public PickleBytes global(String module, String name) {
            op('c');
            raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
            return this;
        }

        /** BINUNICODE. */
        public PickleBytes str(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            op('X');
            raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(u.length).array());
            raw(u);
            return this;
        }

        /** SHORT_BINUNICODE (protocol 4). */
        public PickleBytes shortStr(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            op(0x8c, u.length);
            raw(u);
            return this;
        }

        /** BININT1, BININT2 or BININT as torch's pickler picks. */
        public PickleBytes integer(long v) {
            if (v >= 0 && v < 256) {
                return op('K', (int) v);
            }
            if (v >= 0 && v < 65536) {
                return op('M', (int) (v & 0xff), (int) (v >> 8));
            }
            op('J');
            raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
            return this;
        }

        public PickleBytes mark() {
            return op('(');
        }

        public PickleBytes tuple() {
            return op('t');
        }

        public PickleBytes emptyTuple() {
            return op(')');
        }

        public PickleBytes reduce() {
            return op('R');
        }

        public PickleBytes emptyDict() {
            return op('}');
        }

        public PickleBytes setitem() {
            return op('s');
        }

        public PickleBytes stop() {
            return op('.');
        }

        public PickleBytes raw(byte[] bytes) {
            b.write(bytes, 0, bytes.length);
            return this;
        }

        /** A tuple of ints: MARK ints TUPLE. */
        public PickleBytes ints(long... v) {
            mark();
            for (long x : v) {
                integer(x);
            }
            return tuple();
        }

        /**
         * One tensor as torch writes it: _rebuild_tensor_v2((persistent id of storage), offset, size, stride, False,
         * OrderedDict()).
         */
        public PickleBytes tensor(String storageType, String key, long numel, long offset, long[] size, long[] stride) {
            global("torch._utils", "_rebuild_tensor_v2");
            mark();
            mark().str("storage").global("torch", storageType).str(key).str("cpu").integer(numel).tuple();
            op('Q');
            integer(offset);
            ints(size);
            ints(stride);
            op(0x89);
            global("collections", "OrderedDict").emptyTuple().reduce();
            tuple();
            return reduce();
        }

        public byte[] bytes() {
            return b.toByteArray();
        }
    }

    /**
     * A torch.save-like zip: {@code <archive>/data.pkl}, {@code <archive>/data/<key>} for each storage,
     * {@code <archive>/version}, optionally {@code <archive>/byteorder}; entries STORED unless {@code deflateData}.
     */
    public static void zip(Path file, String archive, byte[] pickle, Map<String, byte[]> storages, boolean deflateData,
                    String byteorder) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(archive + "/data.pkl", pickle);
        if (byteorder != null) {
            entries.put(archive + "/byteorder", byteorder.getBytes(StandardCharsets.US_ASCII));
        }
        storages.forEach((k, v) -> entries.put(archive + "/data/" + k, v));
        entries.put(archive + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                boolean deflate = deflateData && e.getKey().contains("/data/");
                ze.setMethod(deflate ? ZipEntry.DEFLATED : ZipEntry.STORED);
                if (!deflate) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    ze.setSize(e.getValue().length);
                    ze.setCompressedSize(e.getValue().length);
                    ze.setCrc(crc.getValue());
                }
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
    }

    /** Little-endian fp32 bytes. */
    public static byte[] f32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    /** A one-tensor state dict {"w": tensor} over storage "0" of fp32 values. */
    public static byte[] oneTensor(long numel, long offset, long[] size, long[] stride) {
        return new PickleBytes().proto(2).emptyDict().str("w")
                .tensor("FloatStorage", "0", numel, offset, size, stride).setitem().stop().bytes();
    }
}
