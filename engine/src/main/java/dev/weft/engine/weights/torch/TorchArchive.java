package dev.weft.engine.weights.torch;

import dev.weft.engine.weights.DType;
import dev.weft.engine.weights.RawTensor;
import dev.weft.engine.weights.TensorInfo;
import dev.weft.engine.weights.WeightsException;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * One file written by {@code torch.save} (PyTorch 1.6 and later): a zip archive holding
 * <pre>
 *   &lt;archive&gt;/data.pkl        the pickled object (a dict of tensors), read by the restricted {@link Pickle}
 *   &lt;archive&gt;/data/&lt;key&gt;     one raw little-endian storage per key, STORED (uncompressed)
 *   &lt;archive&gt;/byteorder       "little" (absent before PyTorch 2.1, meaning little)
 *   &lt;archive&gt;/version         the serialization version
 * </pre>
 * The zip directory comes from {@link ZipFile} (which reads zip64 directories of files over 4 GB); each entry's
 * data offset is computed from its local header, found by walking the local headers in directory order (torch's
 * writer lays them out back to back, each followed by a data descriptor). Storages are memory-mapped per tensor
 * when its values are asked for; nothing is read up front except {@code data.pkl}.
 *
 * <p>Refused, each with a one-line message naming the file: pickles naming any global other than those needed to
 * rebuild tensors (see {@link Pickle}), compressed storage entries, big-endian archives, the legacy pre-1.6 format,
 * TorchScript archives, corrupt or truncated zips, views that overrun their storage.
 */
public final class TorchArchive implements AutoCloseable {
    private static final int LOCAL_HEADER = 0x04034b50;
    private static final int DESCRIPTOR = 0x08074b50;
    private static final long MAX_PICKLE = 1L << 30;

    private final Path path;
    private final String label;
    private final FileChannel channel;
    private final String prefix;
    private final String version;
    private final Map<String, long[]> located = new HashMap<>();      // entry name -> {dataStart, size, method}
    private final Map<String, TorchTensor.Storage> storages = new HashMap<>();
    private final Map<String, TorchTensor> tensors = new LinkedHashMap<>();
    private final Map<String, TensorInfo> infos = new LinkedHashMap<>();

    private TorchArchive(Path path) throws IOException {
        this.path = path;
        this.label = path.toString();
        sniff(path);
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        boolean ok = false;
        try (ZipFile zip = openZip(path)) {
            List<ZipEntry> entries = new ArrayList<>(Collections.list(zip.entries()));
            if (entries.stream().anyMatch(e -> e.getName().endsWith("constants.pkl") || e.getName().contains("/code/"))) {
                throw new WeightsException(label + ": a TorchScript archive (torch.jit.save), not a state dict saved "
                        + "with torch.save");
            }
            ZipEntry pkl = null;
            for (ZipEntry e : entries) {
                String n = e.getName();
                if (n.endsWith("data.pkl") && (n.equals("data.pkl") || n.indexOf('/') == n.length() - 9)) {
                    pkl = e;
                    break;
                }
            }
            if (pkl == null) {
                throw new WeightsException(label + ": not a PyTorch checkpoint (no data.pkl in the zip archive)");
            }
            this.prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            String order = text(zip, prefix + "byteorder");
            if (order != null && !order.strip().equals("little")) {
                throw new WeightsException(label + ": storages are " + order.strip()
                        + "-endian; only little-endian checkpoints are supported");
            }
            this.version = text(zip, prefix + "version");
            locate(entries);
            if (pkl.getSize() > MAX_PICKLE) {
                throw new WeightsException(label + ": data.pkl is " + pkl.getSize() + " bytes, too large for a state dict");
            }
            byte[] pickle;
            try (InputStream in = zip.getInputStream(pkl)) {
                pickle = in.readAllBytes();
            }
            Object root = Pickle.load(pickle, label, new Rebuilder());
            collect(root);
            ok = true;
        } catch (ZipException e) {
            throw corrupt(e);
        } finally {
            if (!ok) {
                channel.close();
            }
        }
    }

    /** Opens a checkpoint; every problem is a {@link WeightsException} naming the file. */
    public static TorchArchive open(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new WeightsException(path + ": weights file not found");
        }
        try {
            return new TorchArchive(path);
        } catch (ZipException e) {
            throw new WeightsException(path + ": corrupt or truncated zip archive (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new WeightsException(path + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** True when the file starts like a torch.save file (zip, or the legacy pickle format). */
    public static boolean looksLikeTorch(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && (head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4
                    || isLegacy(head));
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The legacy format starts with a pickled magic number: PROTO 2, LONG1 of 10 bytes. (A lone 0x80 is not enough:
     * a safetensors file whose header length ends in 0x80 starts with it too.)
     */
    private static boolean isLegacy(byte[] head) {
        return head.length == 4 && (head[0] & 0xff) == 0x80 && head[1] == 2 && (head[2] & 0xff) == 0x8a
                && head[3] == 10;
    }

    private static void sniff(Path path) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(4);
        }
        if (isLegacy(head)) {
            throw new WeightsException(path + ": legacy torch.save format (PyTorch before 1.6, or "
                    + "_use_new_zipfile_serialization=False) is not supported; re-save it with a newer PyTorch");
        }
        if (head.length < 4 || head[0] != 'P' || head[1] != 'K') {
            throw new WeightsException(path + ": not a PyTorch checkpoint (expected the zip archive torch.save writes)");
        }
    }

    private ZipFile openZip(Path p) throws IOException {
        try {
            return new ZipFile(p.toFile());
        } catch (ZipException e) {
            throw corrupt(e);
        }
    }

    private WeightsException corrupt(ZipException e) {
        return new WeightsException(label + ": corrupt or truncated zip archive (" + e.getMessage() + ")", e);
    }

    private static String text(ZipFile zip, String name) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            return null;
        }
        try (InputStream in = zip.getInputStream(e)) {
            return new String(in.readNBytes(64), StandardCharsets.UTF_8);
        }
    }

    /** Finds each entry's data offset by walking the local headers in directory order. */
    private void locate(List<ZipEntry> entries) throws IOException {
        long size = channel.size();
        long off = 0;
        for (int i = 0; i < entries.size(); i++) {
            ZipEntry e = entries.get(i);
            ByteBuffer h = read(off, 30);
            if (h == null || h.getInt(0) != LOCAL_HEADER || !nameAt(off, e.getName())) {
                throw new WeightsException(label + ": unexpected zip layout (no local header for '" + e.getName()
                        + "' at byte " + off + ")");
            }
            int flags = h.getShort(6) & 0xffff;
            int n = h.getShort(26) & 0xffff;
            int m = h.getShort(28) & 0xffff;
            long dataStart = off + 30 + n + m;
            long dataEnd = dataStart + e.getCompressedSize();
            if (dataEnd > size) {
                throw new WeightsException(label + ": truncated: entry '" + e.getName() + "' ends at byte " + dataEnd
                        + " but the file has " + size);
            }
            located.put(e.getName(), new long[] {dataStart, e.getCompressedSize(), e.getMethod()});
            if (i + 1 == entries.size()) {
                break;
            }
            String next = entries.get(i + 1).getName();
            long[] candidates;
            if ((flags & 8) == 0) {
                candidates = new long[] {0};
            } else {
                ByteBuffer sig = read(dataEnd, 4);
                boolean signed = sig != null && sig.getInt(0) == DESCRIPTOR;
                candidates = signed ? new long[] {16, 24} : new long[] {12, 20};
            }
            long found = -1;
            for (long d : candidates) {
                ByteBuffer s = read(dataEnd + d, 4);
                if (s != null && s.getInt(0) == LOCAL_HEADER && nameAt(dataEnd + d, next)) {
                    found = dataEnd + d;
                    break;
                }
            }
            if (found < 0) {
                throw new WeightsException(label + ": unexpected zip layout (entry '" + next
                        + "' does not follow '" + e.getName() + "')");
            }
            off = found;
        }
    }

    private boolean nameAt(long headerAt, String name) throws IOException {
        ByteBuffer h = read(headerAt, 30);
        if (h == null) {
            return false;
        }
        int n = h.getShort(26) & 0xffff;
        ByteBuffer b = read(headerAt + 30, n);
        if (b == null) {
            return false;
        }
        byte[] raw = new byte[n];
        b.get(0, raw);
        return new String(raw, StandardCharsets.UTF_8).equals(name);
    }

    /** Reads {@code n} bytes at {@code pos}, or null past the end of the file. */
    private ByteBuffer read(long pos, int n) throws IOException {
        if (pos < 0 || pos + n > channel.size()) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (channel.read(b, pos + b.position()) < 0) {
                return null;
            }
        }
        return b;
    }

    /** Storages and tensors for the unpickler; everything is validated against the zip directory. */
    private final class Rebuilder implements Pickle.Rebuilder {
        @Override
        public Object storage(Pickle.Tuple pid) {
            if (pid.size() != 5 || !"storage".equals(pid.get(0))) {
                throw new WeightsException(label + ": unsupported persistent id (expected ('storage', type, key, "
                        + "location, numel), found " + pid.size() + " items)");
            }
            if (!(pid.get(1) instanceof Pickle.Global type) || !Pickle.STORAGES.contains(type.name())) {
                throw new WeightsException(label + ": persistent id names " + Pickle.describe(pid.get(1))
                        + ", not a tensor storage type");
            }
            if (!(pid.get(2) instanceof String key) || !(pid.get(3) instanceof String location)
                    || !(pid.get(4) instanceof Long numel) || numel < 0) {
                throw new WeightsException(label + ": malformed storage persistent id");
            }
            TorchTensor.Storage known = storages.get(key);
            if (known != null) {
                return known;
            }
            DType dtype = dtypeOf(type.name());
            String entry = prefix + "data/" + key;
            long[] at = located.get(entry);
            if (at == null) {
                throw new WeightsException(label + ": storage '" + key + "' is missing from the archive (" + entry + ")");
            }
            if (at[2] != ZipEntry.STORED) {
                throw new WeightsException(label + ": storage entry '" + entry + "' is compressed ("
                        + (at[2] == ZipEntry.DEFLATED ? "deflate" : "method " + at[2])
                        + "); torch.save writes storages uncompressed, so re-save it with torch.save");
            }
            long need = Math.multiplyExact(numel, (long) dtype.bytes());
            if (at[1] < need) {
                throw new WeightsException(label + ": truncated: storage '" + key + "' holds " + at[1]
                        + " bytes but needs " + need + " (" + numel + " x " + dtype.tag() + ")");
            }
            TorchTensor.Storage s = new TorchTensor.Storage(key, dtype, numel, location, at[0]);
            storages.put(key, s);
            return s;
        }

        @Override
        public Object tensor(Pickle.Tuple args) {
            if (!(args.get(0) instanceof TorchTensor.Storage s)) {
                throw new WeightsException(label + ": _rebuild_tensor_v2 without a storage");
            }
            if (!(args.get(1) instanceof Long offset) || !(args.get(2) instanceof Pickle.Tuple size)
                    || !(args.get(3) instanceof Pickle.Tuple stride)) {
                throw new WeightsException(label + ": malformed _rebuild_tensor_v2 arguments");
            }
            return new TorchTensor(s, offset, longs(size), longs(stride));
        }

        private long[] longs(Pickle.Tuple t) {
            long[] v = new long[t.size()];
            for (int i = 0; i < v.length; i++) {
                Object o = t.get(i);
                if (!(o instanceof Long l)) {
                    throw new WeightsException(label + ": tensor size or stride "
                            + (o instanceof BigInteger ? "too large" : "is " + Pickle.describe(o)));
                }
                v[i] = l;
            }
            return v;
        }
    }

    static DType dtypeOf(String storageType) {
        return switch (storageType) {
            case "FloatStorage" -> DType.F32;
            case "HalfStorage" -> DType.F16;
            case "BFloat16Storage" -> DType.BF16;
            case "LongStorage" -> DType.I64;
            case "IntStorage" -> DType.I32;
            default -> throw new IllegalArgumentException(storageType);
        };
    }

    private void collect(Object root) {
        if (!(root instanceof Map<?, ?> map)) {
            throw new WeightsException(label + ": holds " + Pickle.describe(root) + ", expected a dict of tensors");
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String name)) {
                throw new WeightsException(label + ": a key is " + Pickle.describe(e.getKey())
                        + ", expected tensor names");
            }
            if (!(e.getValue() instanceof TorchTensor t)) {
                throw new WeightsException(label + ": '" + name + "' is " + Pickle.describe(e.getValue())
                        + ", expected a tensor (a plain state dict is needed)");
            }
            String problem = t.problem();
            if (problem != null) {
                throw new WeightsException(label + ": tensor '" + name + "': " + problem);
            }
            tensors.put(name, t);
            infos.put(name, new TensorInfo(name, t.dtype(), t.shape().clone()));
        }
    }

    public Path path() {
        return path;
    }

    /** The serialization version recorded in the archive, or null. */
    public String version() {
        return version == null ? null : version.strip();
    }

    public Map<String, TensorInfo> tensors() {
        return Collections.unmodifiableMap(infos);
    }

    public TorchTensor tensor(String name) {
        TorchTensor t = tensors.get(name);
        if (t == null) {
            throw new WeightsException(label + ": no tensor named '" + name + "'");
        }
        return t;
    }

    /** Where the tensor's raw bytes lie: its view of its storage in this file (valid while the archive is open). */
    public RawTensor rawTensor(String name) {
        TorchTensor t = tensor(name);
        return new RawTensor(label, channel, t.storage().dataStart(), t.dtype(), t.offset(), t.shape().clone(),
                t.stride().clone());
    }

    /**
     * The tensor's values converted to fp32, in a new direct native-order buffer, row-major. A contiguous tensor is
     * converted straight from the mapped storage; any other view is gathered through its strides.
     */
    public ByteBuffer float32(String name) {
        TorchTensor t = tensor(name);
        long n = t.numel();
        if (n * 4 > Integer.MAX_VALUE) {
            throw new WeightsException(label + ": tensor '" + name + "' is over 2 GiB as fp32 (" + n + " values)");
        }
        DType dt = t.dtype();
        int es = dt.bytes();
        if (n == 0) {
            return ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder());
        }
        if (t.isContiguous()) {
            return dt.toFloat32(map(name, t.storage().dataStart() + t.offset() * es, n * es), n);
        }
        long span = t.lastIndex() - t.offset() + 1;
        ByteBuffer src = map(name, t.storage().dataStart() + t.offset() * es, span * es);
        ByteBuffer out = ByteBuffer.allocateDirect((int) (n * 4)).order(ByteOrder.nativeOrder());
        FloatBuffer f = out.asFloatBuffer();
        long[] shape = t.shape();
        long[] stride = t.stride();
        int rank = shape.length;
        long[] idx = new long[rank];
        long pos = 0;
        for (long i = 0; i < n; i++) {
            f.put(element(src, dt, (int) pos));
            for (int d = rank - 1; d >= 0; d--) {
                idx[d]++;
                pos += stride[d];
                if (idx[d] < shape[d]) {
                    break;
                }
                pos -= idx[d] * stride[d];
                idx[d] = 0;
            }
        }
        return out;
    }

    private static float element(ByteBuffer b, DType dt, int i) {
        return switch (dt) {
            case F32 -> b.getFloat(i * 4);
            case F16 -> DType.halfToFloat(b.getShort(i * 2));
            case BF16 -> Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
            case I64 -> b.getLong(i * 8);
            case I32 -> b.getInt(i * 4);
        };
    }

    private ByteBuffer map(String name, long pos, long len) {
        if (len > Integer.MAX_VALUE) {
            throw new WeightsException(label + ": tensor '" + name + "' spans over 2 GiB of its storage");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, pos, len).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new WeightsException(label + ": cannot map tensor '" + name + "' (" + e.getMessage() + ")", e);
        }
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
