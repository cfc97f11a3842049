package dev.weft.engine.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a safetensors file from fp32 values, storing each tensor as F32, F16 or BF16. The file is written to a
 * temporary sibling and renamed into place, so a crash never leaves a half-written weights file behind.
 */
public final class SafetensorsWriter {
    private record Entry(String name, long[] shape, float[] values, DType dtype) { }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> metadata = new TreeMap<>();

    public SafetensorsWriter put(String name, long[] shape, float[] values, DType dtype) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("can only write F32, F16 or BF16, not " + dtype);
        }
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException(name + ": shape holds " + n + " values, got " + values.length);
        }
        entries.add(new Entry(name, shape.clone(), values, dtype));
        return this;
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public void write(Path target) throws IOException {
        ObjectMapper om = new ObjectMapper();
        ObjectNode header = om.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort((a, b) -> a.name.compareTo(b.name));
        long offset = 0;
        for (Entry e : sorted) {
            ObjectNode t = header.putObject(e.name);
            t.put("dtype", e.dtype.tag());
            ArrayNode s = t.putArray("shape");
            for (long d : e.shape) {
                s.add(d);
            }
            long len = (long) e.values.length * e.dtype.bytes();
            t.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
        }
        byte[] json = om.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            headerBytes[i] = ' ';
        }
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, target.getFileName().toString(), ".part");
        try (OutputStream os = Files.newOutputStream(tmp); WritableByteChannel ch = Channels.newChannel(os)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, padded);
            ch.write(len);
            ch.write(ByteBuffer.wrap(headerBytes));
            for (Entry e : sorted) {
                ch.write(encode(e));
            }
        } catch (IOException | RuntimeException ex) {
            Files.deleteIfExists(tmp);
            throw ex;
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static ByteBuffer encode(Entry e) {
        ByteBuffer b = ByteBuffer.allocate(e.values.length * e.dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (e.dtype) {
            case F32 -> {
                FloatBuffer f = b.asFloatBuffer();
                f.put(e.values);
            }
            case F16 -> {
                for (float v : e.values) {
                    b.putShort(DType.floatToHalf(v));
                }
            }
            case BF16 -> {
                for (float v : e.values) {
                    b.putShort(DType.floatToBf16(v));
                }
            }
            default -> throw new IllegalStateException();
        }
        b.rewind();
        return b;
    }

    /** Header text of a file as UTF-8, for diagnostics. */
    static String headerText(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
