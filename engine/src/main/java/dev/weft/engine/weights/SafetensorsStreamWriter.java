package dev.weft.engine.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * Writes one safetensors file tensor by tensor, holding at most one small chunk in memory: the header is written
 * first from the planned layout (names, output dtypes, shapes, in data order), then each tensor's fp32 values are
 * encoded in chunks as they arrive. The file is written to a temporary sibling and moved into place by
 * {@link #finish()}; {@link #close()} without {@code finish()} deletes it, so a failure never leaves a partial file.
 *
 * <p>Output types: F32, F16, BF16 (round to nearest even; a finite value beyond the F16 range is an error, not an
 * infinity), and I64 / I32 for integer tensors (each value must be an integer that fp32 holds exactly).
 */
public final class SafetensorsStreamWriter implements AutoCloseable {
    private static final int CHUNK = 1 << 20;

    private final Path target;
    private final Path tmp;
    private final FileChannel out;
    private final List<TensorInfo> layout;
    private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK * 8).order(ByteOrder.LITTLE_ENDIAN);
    private int next;
    private boolean finished;

    public SafetensorsStreamWriter(Path target, List<TensorInfo> layout, Map<String, String> metadata)
            throws IOException {
        this.target = target;
        this.layout = List.copyOf(layout);
        ObjectMapper om = new ObjectMapper();
        ObjectNode header = om.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (TensorInfo t : this.layout) {
            if (header.has(t.name())) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' planned twice");
            }
            ObjectNode e = header.putObject(t.name());
            e.put("dtype", t.dtype().tag());
            ArrayNode s = e.putArray("shape");
            for (long d : t.shape()) {
                s.add(d);
            }
            e.putArray("data_offsets").add(offset).add(offset + t.byteSize());
            offset += t.byteSize();
        }
        byte[] json = om.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        this.tmp = Files.createTempFile(parent, target.getFileName().toString(), ".part");
        this.out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        try {
            writeAll(head);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Bytes of tensor data a layout takes (the file adds a header of a few kB). */
    public static long dataBytes(List<TensorInfo> layout) {
        return layout.stream().mapToLong(TensorInfo::byteSize).sum();
    }

    /** The next tensor in layout order, as fp32 values in native order (as {@link WeightSource#float32} gives). */
    public void write(String name, ByteBuffer float32) throws IOException {
        if (next >= layout.size()) {
            throw new IllegalStateException("all " + layout.size() + " tensors already written; got '" + name + "'");
        }
        TensorInfo t = layout.get(next);
        if (!t.name().equals(name)) {
            throw new IllegalStateException("expected tensor '" + t.name() + "' next, got '" + name + "'");
        }
        FloatBuffer in = float32.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
        if (in.remaining() != t.numel()) {
            throw new IllegalArgumentException(name + ": shape " + t.shapeString() + " holds " + t.numel()
                    + " values, got " + in.remaining());
        }
        while (in.hasRemaining()) {
            chunk.clear();
            int n = Math.min(in.remaining(), CHUNK);
            for (int i = 0; i < n; i++) {
                encode(t, in.get());
            }
            chunk.flip();
            writeAll(chunk);
        }
        next++;
    }

    private void encode(TensorInfo t, float v) {
        switch (t.dtype()) {
            case F32 -> chunk.putFloat(v);
            case F16 -> {
                try {
                    chunk.putShort(DType.floatToHalfInRange(v));
                } catch (IllegalArgumentException e) {
                    throw new WeightsException(t.name() + ": " + e.getMessage() + " (65504); use bf16 or fp32");
                }
            }
            case BF16 -> chunk.putShort(DType.floatToBf16(v));
            case I64 -> chunk.putLong(exactInt(t, v));
            case I32 -> chunk.putInt((int) exactInt(t, v));
        }
    }

    private static long exactInt(TensorInfo t, float v) {
        if (v != Math.rint(v) || Math.abs(v) >= (1 << 24)) {
            throw new WeightsException(t.name() + ": integer tensor value " + v
                    + " cannot be copied exactly through fp32");
        }
        return (long) v;
    }

    private void writeAll(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    /** Checks every planned tensor was written, syncs, and moves the file into place. */
    public void finish() throws IOException {
        if (next != layout.size()) {
            throw new IllegalStateException(target + ": " + (layout.size() - next) + " tensors not written");
        }
        out.force(true);
        out.close();
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        finished = true;
    }

    @Override
    public void close() throws IOException {
        if (!finished) {
            out.close();
            Files.deleteIfExists(tmp);
        }
    }
}
