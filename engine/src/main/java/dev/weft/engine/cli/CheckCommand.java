package dev.weft.engine.cli;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.model.MMInterleaved;
import dev.weft.engine.weights.Checkpoints;
import dev.weft.engine.weights.DType;
import dev.weft.engine.weights.KeyMap;
import dev.weft.engine.weights.KeyMaps;
import dev.weft.engine.weights.SafetensorsWeights;
import dev.weft.engine.weights.TensorInfo;
import dev.weft.engine.weights.TensorScan;
import dev.weft.engine.weights.WeightSource;
import dev.weft.engine.weights.WeightsException;
import dev.weft.engine.weights.torch.TorchWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.Callable;

/**
 * {@code weft check}: does a checkpoint fit a model config, and are its values the ones PyTorch reads? Opens the
 * checkpoint with the engine's readers (torch.save shards through the restricted unpickler, or safetensors) and the
 * released checkpoint's key map, and compares every tensor's name, shape and stored type with the parameters the
 * engine asks for (counted in SHAPES mode: nothing is allocated). With {@code --expect}, streams over the stored
 * values of the tensors a PyTorch-side JSON lists and compares sums and first values.
 *
 * <p>Creates no NDArray and never starts DJL's engine or loads libtorch: it runs on a bare JRE with only the jars
 * on the class path (the pytorch jars may be absent). The heap holds names, shapes and a few numbers per tensor;
 * values are read from memory-mapped windows (see {@link TensorScan}), so files of any size check in a small heap.
 *
 * <p>Exit codes: 0 when everything matches, 1 on any mismatch, 2 when an input cannot be read.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check a checkpoint (.bin / .safetensors file or folder) against a model config without "
                + "loading the model: names, shapes, stored types, and with --expect the values' checksums.",
                "Exit 0 when all match, 1 on any mismatch, 2 when an input cannot be read."})
final class CheckCommand implements Callable<Integer> {
    static final int MISMATCH = 1;

    @Parameters(index = "0", paramLabel = "CHECKPOINT",
            description = "A torch.save or safetensors file, or a folder of shards (pytorch_model.bin.index.json, "
                    + "pytorch_model*.bin, model.safetensors.index.json or *.safetensors).")
    Path source;

    @Option(names = "--preset", paramLabel = "NAME", description = "The config to check against: tiny, weft-small "
            + "or mm-interleaved-13b.")
    String preset;

    @Option(names = "--config", paramLabel = "FILE", description = "A config.json to check against, instead of --preset.")
    Path config;

    @Option(names = "--expect", paramLabel = "FILE", description = "Checksums written by the PyTorch side: "
            + "{\"tensors\": {name: {dtype, shape, sum, abs_sum, head}}} with checkpoint names as stored.")
    Path expect;

    @Option(names = "--dtype", paramLabel = "fp32|fp16|bf16", description = "Also require every floating tensor to be "
            + "stored in this type (default: any of fp32, fp16, bf16, which the engine reads).")
    String dtype;

    @Option(names = "--tolerance", defaultValue = "1e-9", paramLabel = "REL",
            description = "Largest relative difference of sum and abs_sum (each relative to abs_sum). "
                    + "Default ${DEFAULT-VALUE}.")
    double tolerance;

    @Option(names = "--show", defaultValue = "10", paramLabel = "N", description = "Problems shown per kind. "
            + "Default ${DEFAULT-VALUE}.")
    int show;

    @Option(names = "--list", description = "Print every tensor of the checkpoint: stored name, type, shape, file and "
            + "what the engine makes of it.")
    boolean list;

    @Option(names = "--threads", paramLabel = "N", description = "Tensors checksummed at once (default: up to 4).")
    Integer threads;

    @Option(names = "--verbose", description = "Print stack traces.")
    boolean verbose;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The outcome, for tests. */
    record Result(int tensors, long parameters, List<String> missing, List<String> unexpected, List<String> wrongShape,
                  List<String> wrongDtype, List<String> dropped, int checked, int checksumFailures, double worst) {
        boolean ok() {
            return missing.isEmpty() && unexpected.isEmpty() && wrongShape.isEmpty() && wrongDtype.isEmpty()
                    && checksumFailures == 0;
        }
    }

    Result result;

    @Override
    public Integer call() throws IOException {
        PrintWriter o = spec.commandLine().getOut();
        if ((preset == null) == (config == null)) {
            throw new IllegalArgumentException("give the config to check against: --preset NAME or --config FILE");
        }
        if (show < 0) {
            throw new IllegalArgumentException("--show: expected 0 or more, found " + show);
        }
        if (!(tolerance >= 0)) {
            throw new IllegalArgumentException("--tolerance: expected a non-negative number, found " + tolerance);
        }
        DType required = dtype == null ? null : ConvertCommand.parseDType(dtype);
        Map<String, Expected> expected = expect == null ? null : readExpect(expect);
        ConvertCommand.resetPeaks();
        long t0 = System.nanoTime();
        ModelConfig cfg = preset != null ? ModelConfig.preset(preset) : ModelConfig.read(config);
        Map<String, long[]> params = new LinkedHashMap<>();
        long modelParams = MMInterleaved.shapes(cfg, params).parameterCount();
        KeyMap map = KeyMaps.released(cfg);
        WeightSource raw = Checkpoints.open(source);
        try (KeyMap.Mapped mapped = map.apply(raw)) {
            o.printf("weft check: %s (%s)%n", source, format(raw));
            o.printf("  against %s: %,d tensors, %,d parameters%n",
                    preset != null ? "preset " + preset : config, params.size(), modelParams);
            mapped.changes().forEach(c -> o.println("  key map: " + c));
            result = compare(raw, map, mapped, params, required, o);
            if (expected != null) {
                result = checksums(raw, expected, result, o);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        o.printf(Locale.ROOT, "elapsed %.1f s, peak heap %s (max heap %s)%n", secs,
                InfoCommand.gib(ConvertCommand.peakHeap()), InfoCommand.gib(Runtime.getRuntime().maxMemory()));
        o.println(result.ok() ? "OK: the checkpoint matches" : "MISMATCH: see above");
        o.flush();
        return result.ok() ? 0 : MISMATCH;
    }

    private static String format(WeightSource raw) {
        if (raw instanceof TorchWeights t) {
            return "torch.save, " + t.archives().size() + " file(s)";
        }
        if (raw instanceof SafetensorsWeights s) {
            return "safetensors, " + s.fileCount() + " file(s)";
        }
        return raw.getClass().getSimpleName();
    }

    /** Names, shapes and stored types against the model's parameters. */
    private Result compare(WeightSource raw, KeyMap map, KeyMap.Mapped mapped, Map<String, long[]> params,
                           DType required, PrintWriter o) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> wrongShape = new ArrayList<>();
        List<String> wrongDtype = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        Map<DType, long[]> byType = new TreeMap<>();
        long parameters = 0;
        for (TensorInfo t : raw.tensors().values()) {
            parameters += t.numel();
            long[] c = byType.computeIfAbsent(t.dtype(), k -> new long[2]);
            c[0]++;
            c[1] += t.numel();
            String target = map.target(t.name());
            String status;
            if (target == null) {
                dropped.add(t.name() + " " + t.dtype().tag() + " " + t.shapeString());
                status = "dropped by the key map";
            } else {
                TensorInfo m = mapped.tensors().get(target);
                long[] want = params.get(target);
                String shown = target.equals(t.name()) ? t.name() : t.name() + " (as " + target + ")";
                if (want == null) {
                    unexpected.add(shown + " " + t.dtype().tag() + " " + t.shapeString());
                    status = "unexpected";
                } else if (!Arrays.equals(want, m.shape())) {
                    wrongShape.add(shown + ": expected " + Arrays.toString(want) + ", found " + m.shapeString()
                            + (Arrays.equals(m.shape(), t.shape()) ? "" : " (stored " + t.shapeString() + ")"));
                    status = "wrong shape";
                } else if (!floating(t.dtype()) || required != null && t.dtype() != required) {
                    wrongDtype.add(shown + ": expected " + (required != null ? required.tag() : "F32, F16 or BF16")
                            + ", found " + t.dtype().tag());
                    status = "wrong dtype";
                } else {
                    status = target.equals(t.name()) ? "ok" : "ok as " + target;
                }
            }
            if (list) {
                o.printf("  %-80s %-4s %-18s %-40s %s%n", t.name(), t.dtype().tag(), t.shapeString(), fileOf(raw, t),
                        status);
            }
        }
        for (Map.Entry<String, long[]> e : params.entrySet()) {
            if (!mapped.tensors().containsKey(e.getKey())) {
                missing.add(e.getKey() + " " + Arrays.toString(e.getValue()));
            }
        }
        StringBuilder types = new StringBuilder();
        byType.forEach((k, v) -> types.append(types.length() == 0 ? "" : ", ").append(k.tag()).append(' ')
                .append(v[0]).append(" tensors / ").append(String.format(Locale.ROOT, "%,d", v[1])));
        o.printf("  stored types: %s%n", types);
        o.printf("%d tensors, %,d parameters, %d missing, %d unexpected, %d wrong shape, %d wrong dtype, %d dropped "
                        + "by the key map%n", raw.tensors().size(), parameters, missing.size(), unexpected.size(),
                wrongShape.size(), wrongDtype.size(), dropped.size());
        first(o, "missing", missing);
        first(o, "unexpected", unexpected);
        first(o, "wrong shape", wrongShape);
        first(o, "wrong dtype", wrongDtype);
        first(o, "dropped", dropped);
        o.flush();
        return new Result(raw.tensors().size(), parameters, missing, unexpected, wrongShape, wrongDtype, dropped, 0, 0,
                0);
    }

    private static String fileOf(WeightSource raw, TensorInfo t) {
        Path p = raw instanceof TorchWeights w ? w.fileOf(t.name())
                : raw instanceof SafetensorsWeights s ? s.fileOf(t.name()) : null;
        return p == null ? "" : p.getFileName().toString();
    }

    private static boolean floating(DType d) {
        return d == DType.F32 || d == DType.F16 || d == DType.BF16;
    }

    private void first(PrintWriter o, String kind, List<String> items) {
        for (int i = 0; i < Math.min(show, items.size()); i++) {
            o.println("  " + kind + ": " + items.get(i));
        }
        if (items.size() > show) {
            o.printf("  ... and %d more %s%n", items.size() - show, kind);
        }
    }

    /** One entry of the expect file. */
    record Expected(String name, String dtype, long[] shape, double sum, double absSum, float[] head) { }

    static Map<String, Expected> readExpect(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": expect file not found");
        }
        ObjectMapper om = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
        JsonNode root;
        try {
            root = om.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not JSON (" + e.getMessage().lines().findFirst().orElse("")
                    + ")");
        }
        JsonNode ts = root == null ? null : root.get("tensors");
        if (ts == null || !ts.isObject()) {
            throw new IllegalArgumentException(file + ": expected {\"tensors\": {name: {dtype, shape, sum, abs_sum, "
                    + "head}}}");
        }
        Map<String, Expected> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = ts.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode n = e.getValue();
            String where = file + ": tensor '" + name + "': ";
            JsonNode shape = n.get("shape");
            JsonNode head = n.get("head");
            if (n.get("dtype") == null || !n.get("dtype").isTextual()) {
                throw new IllegalArgumentException(where + "'dtype' must be a string such as \"float32\"");
            }
            if (shape == null || !shape.isArray() || head == null || !head.isArray()) {
                throw new IllegalArgumentException(where + "'shape' and 'head' must be arrays");
            }
            long[] s = new long[shape.size()];
            for (int i = 0; i < s.length; i++) {
                if (!shape.get(i).canConvertToLong()) {
                    throw new IllegalArgumentException(where + "'shape' must hold integers");
                }
                s[i] = shape.get(i).asLong();
            }
            float[] h = new float[head.size()];
            for (int i = 0; i < h.length; i++) {
                h[i] = (float) number(head.get(i), where + "head[" + i + "]");
            }
            out.put(name, new Expected(name, n.get("dtype").asText(), s, number(n.get("sum"), where + "sum"),
                    number(n.get("abs_sum"), where + "abs_sum"), h));
        }
        return out;
    }

    private static double number(JsonNode n, String where) {
        if (n == null || !n.isNumber()) {
            throw new IllegalArgumentException(where + " must be a number");
        }
        return n.asDouble();
    }

    /** The PyTorch name of a stored type ("float32", also "torch.float32"), or null. */
    static DType torchDType(String s) {
        String t = s.startsWith("torch.") ? s.substring(6) : s;
        return switch (t) {
            case "float32", "float" -> DType.F32;
            case "float16", "half" -> DType.F16;
            case "bfloat16" -> DType.BF16;
            case "int64", "long" -> DType.I64;
            case "int32", "int" -> DType.I32;
            default -> null;
        };
    }

    /** Streams over each listed tensor's stored values (several tensors at once) and compares with the file. */
    private Result checksums(WeightSource raw, Map<String, Expected> expected, Result r, PrintWriter o) {
        o.printf("checksums: %s lists %d tensors%n", expect, expected.size());
        o.flush();
        int n = threads != null ? threads : Math.min(4, Runtime.getRuntime().availableProcessors());
        if (n < 1) {
            throw new IllegalArgumentException("--threads: expected 1 or more, found " + n);
        }
        ExecutorService pool = Executors.newFixedThreadPool(n, task -> {
            Thread t = new Thread(task, "weft-check");
            t.setDaemon(true);
            return t;
        });
        Semaphore ahead = new Semaphore(4 * n);        // bounds the results waiting to be printed
        List<Future<TensorScan.Checksum>> futures = new ArrayList<>();
        List<Expected> order = new ArrayList<>(expected.values());
        int failures = 0;
        double worst = 0;
        String worstName = null;
        long bytes = 0;
        long t0 = System.nanoTime();
        try {
            int submitted = 0;
            for (int i = 0; i < order.size(); i++) {
                while (submitted < order.size() && ahead.tryAcquire()) {
                    Expected e = order.get(submitted++);
                    TensorInfo info = raw.tensors().get(e.name());
                    if (info == null || !Arrays.equals(info.shape(), e.shape()) || info.dtype() != torchDType(e.dtype())) {
                        futures.add(null);
                        ahead.release();
                        continue;
                    }
                    futures.add(pool.submit(() -> {
                        try {
                            return TensorScan.checksum(raw.rawTensor(e.name()), e.head().length);
                        } finally {
                            ahead.release();
                        }
                    }));
                }
                Expected e = order.get(i);
                TensorInfo info = raw.tensors().get(e.name());
                String line;
                if (info == null) {
                    line = "FAIL  " + e.name() + ": not in the checkpoint";
                    failures++;
                } else if (!Arrays.equals(info.shape(), e.shape()) || info.dtype() != torchDType(e.dtype())) {
                    line = "FAIL  " + e.name() + ": expected " + e.dtype() + " " + Arrays.toString(e.shape())
                            + ", found " + info.dtype().tag() + " " + info.shapeString();
                    failures++;
                } else {
                    TensorScan.Checksum c = await(futures.get(i), e.name());
                    bytes += c.bytes();
                    double rs = relative(c.sum(), e.sum(), e.absSum());
                    double ra = relative(c.absSum(), e.absSum(), e.absSum());
                    double rel = Math.max(rs, ra);
                    int badHead = badHead(c.head(), e.head());
                    boolean ok = rel <= tolerance && badHead < 0;
                    if (Double.isNaN(rel) || rel > worst) {
                        worst = Double.isNaN(rel) ? Double.POSITIVE_INFINITY : rel;
                        worstName = e.name();
                    }
                    StringBuilder sb = new StringBuilder(ok ? "ok    " : "FAIL  ").append(e.name())
                            .append(String.format(Locale.ROOT, "  %s %s sum %.17g abs_sum %.17g rel %.2e",
                                    info.dtype().tag(), info.shapeString(), c.sum(), c.absSum(), rel));
                    if (!ok) {
                        failures++;
                        if (rs > tolerance || Double.isNaN(rs)) {
                            sb.append(String.format(Locale.ROOT, "; sum expected %.17g", e.sum()));
                        }
                        if (ra > tolerance || Double.isNaN(ra)) {
                            sb.append(String.format(Locale.ROOT, "; abs_sum expected %.17g", e.absSum()));
                        }
                        if (badHead >= 0) {
                            sb.append("; head[").append(badHead).append("] ")
                                    .append(badHead < c.head().length ? Float.toString(c.head()[badHead]) : "(none)")
                                    .append(" expected ").append(e.head()[badHead]);
                        }
                    }
                    if (c.nonFinite() > 0) {
                        sb.append("; ").append(c.nonFinite()).append(" NaN/inf values");
                    }
                    line = sb.toString();
                }
                o.println("  " + line);
                o.flush();
            }
        } finally {
            pool.shutdownNow();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        o.printf(Locale.ROOT, "checksums: %d checked, %d ok, %d failed; worst relative difference %.2e%s; read %s in "
                        + "%.1f s (%.0f MB/s)%n", order.size(), order.size() - failures, failures, worst,
                worstName == null ? "" : " (" + worstName + ")", InfoCommand.gib(bytes), secs,
                secs > 0 ? bytes / 1e6 / secs : 0.0);
        return new Result(r.tensors(), r.parameters(), r.missing(), r.unexpected(), r.wrongShape(), r.wrongDtype(),
                r.dropped(), order.size(), failures, worst);
    }

    private static TensorScan.Checksum await(Future<TensorScan.Checksum> f, String name) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading '" + name + "'", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new WeightsException(name + ": " + e.getCause(), e.getCause());
        }
    }

    /**
     * |got - want| relative to {@code scale} (the tensor's abs_sum: the size of any summation's rounding error, so a
     * sum that nearly cancels is not flagged for float64 rounding). Equal values (NaN included) differ by 0.
     */
    static double relative(double got, double want, double scale) {
        if (Double.compare(got, want) == 0) {
            return 0;
        }
        double s = Math.abs(scale);
        return s == 0 || !Double.isFinite(s) ? Double.POSITIVE_INFINITY : Math.abs(got - want) / s;
    }

    /** The first position where the heads differ (float32 bit for bit, NaN equal to NaN), or -1. */
    static int badHead(float[] got, float[] want) {
        for (int i = 0; i < want.length; i++) {
            if (i >= got.length || Float.compare(got[i], want[i]) != 0) {
                return i;
            }
        }
        return -1;
    }
}
