package dev.weft.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.weights.Checkpoints;
import dev.weft.engine.weights.DType;
import dev.weft.engine.weights.KeyMap;
import dev.weft.engine.weights.KeyMaps;
import dev.weft.engine.weights.SafetensorsStreamWriter;
import dev.weft.engine.weights.SafetensorsWeights;
import dev.weft.engine.weights.TensorInfo;
import dev.weft.engine.weights.WeightSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code weft convert}: a PyTorch checkpoint ({@code torch.save} file, or a folder of {@code pytorch_model*.bin}
 * shards) or safetensors weights to safetensors shards {@code model-0000i-of-0000n.safetensors} with
 * {@code model.safetensors.index.json}. Streams tensor by tensor: the heap holds only names, shapes and one
 * encoding chunk; off-heap, one tensor's fp32 values at a time (the largest released tensor, the 32002 x 5120
 * embedding, is 655 MB), so a 60 GB checkpoint converts in a few GB of memory. Names go through the released
 * checkpoint's key map ({@link KeyMaps}); with {@code --config} or {@code --preset} the CLIP position embedding is
 * also resized to that config's patch grid. Every file is written to a temporary name and moved into place; the
 * index is written last.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a PyTorch checkpoint (.bin file or folder) to safetensors shards.")
final class ConvertCommand implements Callable<Integer> {
    private static final long DIRECT_GC_THRESHOLD = 256L << 20;

    @Parameters(index = "0", paramLabel = "CHECKPOINT",
            description = "A torch.save file, or a folder with pytorch_model*.bin (and pytorch_model.bin.index.json).")
    Path source;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--dtype", defaultValue = "fp16", paramLabel = "fp16|bf16|fp32",
            description = "Stored type of floating tensors (fp32 keeps the values exactly). Default ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--shard-size", defaultValue = "5GB", paramLabel = "SIZE",
            description = "Largest shard, e.g. 5GB, 500MB, 2GiB or bytes. Default ${DEFAULT-VALUE}.")
    String shardSize;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Target config.json: resize the CLIP position embedding to its image size.")
    Path config;

    @Option(names = "--preset", paramLabel = "NAME", description = "Target preset instead of --config.")
    String preset;

    @Option(names = "--overwrite", description = "Replace safetensors weights already in the output folder.")
    boolean overwrite;

    @Option(names = "--verbose", description = "Print every problem and stack traces.")
    boolean verbose;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** What one conversion did (for tests). */
    record Summary(int tensors, long parameters, int shards, long bytes, long peakHeap, long peakDirect) { }

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        DType target = parseDType(dtype);
        long maxShard = parseSize(shardSize);
        KeyMap map = keyMap();
        resetPeaks();
        long t0 = System.nanoTime();
        Summary s;
        try (KeyMap.Mapped src = map.apply(Checkpoints.open(source))) {
            o.printf("weft: converting %s (%d tensors) to %s in %s%n", src.describe(), src.tensors().size(),
                    target.tag(), out);
            src.changes().forEach(c -> o.println("  key map: " + c));
            o.flush();
            s = convert(src, out, target, maxShard, overwrite, o);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        o.printf(Locale.ROOT, "weft: wrote %d tensors (%,d parameters) in %d shard(s), %s, in %.1f s%n", s.tensors(),
                s.parameters(), s.shards(), InfoCommand.gib(s.bytes()), secs);
        o.printf(Locale.ROOT, "weft: peak heap %s (max heap %s), peak off-heap %s%n", InfoCommand.gib(s.peakHeap()),
                InfoCommand.gib(Runtime.getRuntime().maxMemory()), InfoCommand.gib(s.peakDirect()));
        o.flush();
        return 0;
    }

    private KeyMap keyMap() {
        if (config != null && preset != null) {
            throw new IllegalArgumentException("--config and --preset: give one, not both");
        }
        if (config != null) {
            return KeyMaps.released(ModelConfig.read(config));
        }
        if (preset != null) {
            return KeyMaps.released(ModelConfig.preset(preset));
        }
        return KeyMaps.namesOnly();
    }

    static DType parseDType(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "fp16", "f16", "float16", "half" -> DType.F16;
            case "bf16", "bfloat16" -> DType.BF16;
            case "fp32", "f32", "float32", "float" -> DType.F32;
            default -> throw new IllegalArgumentException("--dtype: expected fp16, bf16 or fp32, found " + s);
        };
    }

    static long parseSize(String s) {
        Matcher m = Pattern.compile("(?i)\\s*(\\d+(?:\\.\\d+)?)\\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)?\\s*").matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("--shard-size: expected a size such as 5GB, 500MB or 2GiB, found " + s);
        }
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        double mult = switch (unit) {
            case "kb" -> 1e3;
            case "mb" -> 1e6;
            case "gb" -> 1e9;
            case "tb" -> 1e12;
            case "kib" -> 1024.0;
            case "mib" -> 1024.0 * 1024;
            case "gib" -> 1024.0 * 1024 * 1024;
            case "tib" -> 1024.0 * 1024 * 1024 * 1024;
            default -> 1;
        };
        long bytes = (long) (v * mult);
        if (bytes <= 0) {
            throw new IllegalArgumentException("--shard-size: must be positive, found " + s);
        }
        return bytes;
    }

    /** The stored type of a tensor: floating tensors take {@code target}, integer tensors keep theirs. */
    static DType outType(DType in, DType target) {
        return in == DType.I64 || in == DType.I32 ? in : target;
    }

    /** Converts {@code src} into {@code dir}; prints one line per shard. */
    static Summary convert(WeightSource src, Path dir, DType target, long maxShard, boolean overwrite, PrintWriter o)
            throws IOException {
        Files.createDirectories(dir);
        List<Path> existing = existingWeights(dir);
        if (!existing.isEmpty() && !overwrite) {
            throw new IllegalArgumentException(dir + ": already holds " + existing.get(0).getFileName()
                    + " (use --overwrite to replace)");
        }
        // 1. plan the shards: tensors in source order, a new shard when the next would pass the size
        List<List<TensorInfo>> shards = new ArrayList<>();
        List<TensorInfo> cur = new ArrayList<>();
        long curBytes = 0;
        long params = 0;
        for (TensorInfo t : src.tensors().values()) {
            TensorInfo planned = new TensorInfo(t.name(), outType(t.dtype(), target), t.shape());
            if (!cur.isEmpty() && curBytes + planned.byteSize() > maxShard) {
                shards.add(cur);
                cur = new ArrayList<>();
                curBytes = 0;
            }
            cur.add(planned);
            curBytes += planned.byteSize();
            params += t.numel();
        }
        if (!cur.isEmpty()) {
            shards.add(cur);
        }
        if (shards.isEmpty()) {
            throw new IllegalArgumentException(src.describe() + ": no tensors to convert");
        }
        // 2. write each shard, tensor by tensor
        Map<String, String> weightMap = new TreeMap<>();
        List<String> names = new ArrayList<>();
        List<Path> written = new ArrayList<>();
        long total = 0;
        long[] peakDirect = {directUsed()};
        try {
            for (int i = 0; i < shards.size(); i++) {
                String file = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
                names.add(file);
                List<TensorInfo> layout = shards.get(i);
                writeShard(src, dir.resolve(file), layout, peakDirect);
                written.add(dir.resolve(file));
                layout.forEach(t -> weightMap.put(t.name(), file));
                long bytes = SafetensorsStreamWriter.dataBytes(layout);
                total += bytes;
                o.printf("  %s: %d tensors, %s%n", file, layout.size(), InfoCommand.gib(bytes));
                o.flush();
            }
        } catch (IOException | RuntimeException e) {
            // the shards of a failed conversion are useless without their index: leave none behind
            for (Path p : written) {
                Files.deleteIfExists(p);
            }
            throw e;
        }
        int count = weightMap.size();
        // 3. the index, last, then anything stale from an earlier conversion
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode index = om.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode wm = index.putObject("weight_map");
        weightMap.forEach(wm::put);
        Path idx = dir.resolve("model.safetensors.index.json");
        Path tmp = Files.createTempFile(dir, "model.safetensors.index.json", ".part");
        try {
            om.writeValue(tmp.toFile(), index);
            Files.move(tmp, idx, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        for (Path p : existing) {
            if (!names.contains(p.getFileName().toString()) && !p.equals(idx)) {
                Files.deleteIfExists(p);
            }
        }
        // 4. check the result opens (headers, sizes) with the reader the engine uses
        try (SafetensorsWeights check = SafetensorsWeights.open(dir)) {
            if (check.tensors().size() != count) {
                throw new IllegalStateException(dir + ": wrote " + count + " tensors but the index lists "
                        + check.tensors().size());
            }
        }
        return new Summary(count, params, shards.size(), total, peakHeap(), peakDirect[0]);
    }

    /** One shard: each tensor read as fp32 from the source and encoded as it is written. */
    private static void writeShard(WeightSource src, Path file, List<TensorInfo> layout, long[] peakDirect)
            throws IOException {
        try (SafetensorsStreamWriter w = new SafetensorsStreamWriter(file, layout, Map.of("format", "pt"))) {
            for (TensorInfo t : layout) {
                ByteBuffer v = src.float32(t.name());
                peakDirect[0] = Math.max(peakDirect[0], directUsed());
                w.write(t.name(), v);
                if (directUsed() > DIRECT_GC_THRESHOLD) {
                    // free the fp32 copies and mapped views now rather than when the (idle) heap fills up
                    System.gc();
                }
            }
            w.finish();
        }
    }

    /** Safetensors weights already in the folder (the engine would load them in preference). */
    private static List<Path> existingWeights(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.equals("model.safetensors") || n.equals("model.safetensors.index.json")
                        || n.matches("model-\\d+-of-\\d+\\.safetensors");
            }).sorted().toList();
        }
    }

    static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid()) {
                p.resetPeakUsage();
            }
        }
    }

    /** Sum of the heap pools' peaks since {@link #resetPeaks()} (an upper bound of the true peak). */
    static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.isValid() && p.getPeakUsage() != null) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static long directUsed() {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                return b.getMemoryUsed();
            }
        }
        return 0;
    }
}
