package dev.weft.engine.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One safetensors file, opened lazily: the header is parsed up front and validated against the file size;
 * tensor data are memory-mapped one tensor at a time, only when asked for.
 *
 * <p>Format: u64 little-endian header length N, N bytes of JSON
 * ({@code name -> {dtype, shape, data_offsets:[begin,end]}}, optional {@code __metadata__}), then the data,
 * offsets relative to its start.
 */
public final class SafetensorsFile implements AutoCloseable {
    private static final long MAX_HEADER = 100L << 20;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> infos = new LinkedHashMap<>();
    private final Map<String, long[]> offsets = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private SafetensorsFile(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        boolean ok = false;
        try {
            long size = channel.size();
            if (size < 8) {
                throw new WeightsException(path + ": not a safetensors file (" + size + " bytes, need at least 8)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen > 0 && headerLen <= MAX_HEADER && 8 + headerLen > size) {
                throw new WeightsException(path + ": truncated: the header alone needs " + (8 + headerLen)
                        + " bytes but the file has " + size);
            }
            if (headerLen <= 0 || headerLen > MAX_HEADER) {
                throw new WeightsException(path + ": corrupt safetensors header length " + headerLen
                        + " (file has " + size + " bytes)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(header, 8);
            dataStart = 8 + headerLen;
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(header.array());
            } catch (IOException e) {
                throw new WeightsException(path + ": corrupt safetensors header (not JSON: " + e.getMessage() + ")");
            }
            if (root == null || !root.isObject()) {
                throw new WeightsException(path + ": corrupt safetensors header (expected a JSON object)");
            }
            long dataLen = size - dataStart;
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                parseEntry(e.getKey(), e.getValue(), dataLen);
            }
            ok = true;
        } finally {
            if (!ok) {
                channel.close();
            }
        }
    }

    /** Opens a file; throws {@link WeightsException} naming the file for any structural problem. */
    public static SafetensorsFile open(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new WeightsException(path + ": weights file not found");
        }
        try {
            return new SafetensorsFile(path);
        } catch (IOException e) {
            throw new WeightsException(path + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private void parseEntry(String name, JsonNode n, long dataLen) {
        DType dtype = DType.fromTag(n.path("dtype").asText(""));
        if (dtype == null) {
            throw new WeightsException(path + ": tensor '" + name + "' has unsupported dtype '"
                    + n.path("dtype").asText("") + "' (expected F32, F16, BF16, I64 or I32)");
        }
        JsonNode shapeNode = n.path("shape");
        JsonNode off = n.path("data_offsets");
        if (!shapeNode.isArray() || !off.isArray() || off.size() != 2) {
            throw new WeightsException(path + ": tensor '" + name + "' has a malformed header entry");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
        }
        TensorInfo info = new TensorInfo(name, dtype, shape);
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin < 0 || end < begin || end - begin != info.byteSize()) {
            throw new WeightsException(path + ": tensor '" + name + "' offsets [" + begin + ", " + end
                    + ") do not match its shape " + info.shapeString() + " of " + dtype.tag());
        }
        if (end > dataLen) {
            throw new WeightsException(path + ": truncated: tensor '" + name + "' ends at byte " + (dataStart + end)
                    + " but the file has " + (dataStart + dataLen) + " bytes");
        }
        infos.put(name, info);
        offsets.put(name, new long[] {begin, end});
    }

    private void readFully(ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos + buf.position());
            if (n < 0) {
                throw new WeightsException(path + ": unexpected end of file");
            }
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, TensorInfo> tensors() {
        return Collections.unmodifiableMap(infos);
    }

    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** Memory-maps one tensor's raw bytes (little-endian, in its stored dtype). */
    public ByteBuffer raw(String name) {
        long[] off = offsets.get(name);
        if (off == null) {
            throw new WeightsException(path + ": no tensor named '" + name + "'");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + off[0], off[1] - off[0])
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new WeightsException(path + ": cannot map tensor '" + name + "' (" + e.getMessage() + ")", e);
        }
    }

    /** Where the tensor's raw bytes lie in this file (valid while it is open). */
    public RawTensor rawTensor(String name) {
        long[] off = offsets.get(name);
        if (off == null) {
            throw new WeightsException(path + ": no tensor named '" + name + "'");
        }
        TensorInfo info = infos.get(name);
        return RawTensor.contiguous(path.toString(), channel, dataStart + off[0], info.dtype(), info.shape());
    }

    /** The tensor's values converted to fp32, in a direct native-order buffer. */
    public ByteBuffer float32(String name) {
        TensorInfo info = infos.get(name);
        if (info == null) {
            throw new WeightsException(path + ": no tensor named '" + name + "'");
        }
        return info.dtype().toFloat32(raw(name), info.numel());
    }

    /** The tensor's values as fp16 (F16 copied as stored), in a direct native-order buffer. */
    public ByteBuffer float16(String name) {
        TensorInfo info = infos.get(name);
        if (info == null) {
            throw new WeightsException(path + ": no tensor named '" + name + "'");
        }
        return info.dtype().toFloat16(raw(name), info.numel());
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a read-only channel cannot lose data
        }
    }
}
