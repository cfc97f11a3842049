package dev.weft.engine.memory;

import ai.djl.Device;
import dev.weft.engine.Precision;
import dev.weft.engine.config.LlmConfig;
import dev.weft.engine.config.MmfsConfig;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.config.UNetConfig;
import dev.weft.engine.config.VaeConfig;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.diffusion.Attention;
import dev.weft.engine.diffusion.MmfsBlock;
import dev.weft.engine.llm.KvCache;
import dev.weft.engine.model.MMInterleaved;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A rough estimate of the memory a model needs on the host and on the device, from its config alone (parameters
 * are counted in SHAPES mode: nothing is allocated). Written as sums of documented terms so a reader can redo them
 * by hand; {@code b} below is the bytes per element of the precision (4 for fp32, 2 for fp16 / bf16).
 *
 * <ul>
 *   <li><b>weights</b>: parameters x b, except the VAE's, which are always fp32 (4 B): SD's VAE overflows in fp16.</li>
 *   <li><b>KV cache</b> for a document of T tokens: 2 (keys, values) x LLM layers x C x hidden x b, with C the
 *       cache's capacity: T rounded up to a power of two (at least 16), at most the model's context, as
 *       {@link KvCache#capacity} grows it.</li>
 *   <li><b>images in context</b> (N of them): per image, every adapter feature map (sum of side² over the 4 maps x
 *       vision width), its visual tokens (queries x LLM hidden), each LLM MMFS layer's projected values (sum of
 *       side² over the MMFS levels x MMFS value width), and MMFSNet's projected values for the UNet (one per down
 *       skip and the mid block, the same maps x the UNet MMFS value width, x G = 2 for guidance), all x b.</li>
 *   <li><b>hidden states</b> the session keeps: T x LLM hidden x b.</li>
 *   <li><b>activations</b>, the peak of the components, which run one after the other (attention scores and their
 *       softmax, the {@code H T²}-like terms, count 4 B in every precision: they are computed in fp32):
 *     <ul>
 *       <li>LLM over the whole document at once (prefill, T tokens; H heads, I MLP width):
 *           T x (6 hidden + 3 I) x b + 2 H T² x 4 (residual, q, k, v, output; the MLP; scores and softmax);</li>
 *       <li>vision encoder per image (P = grid² + 1 tokens, width Dv, MLP Iv, Hv heads; F = sum of the adapter's
 *           map sides²): (P (6 Dv + Iv) + 8 F Dv) x b + 2 Hv P² x 4;</li>
 *       <li>UNet with classifier-free guidance (batch G = 2; top level N0 = sample_size² latents of c0 channels and
 *           h0 heads; level i has c_i channels on N_i latents): G (16 c0 N0 + (layers per block + 1) sum c_i N_i)
 *           x b (resnet / feed-forward temporaries, skip connections) + 8 min(G h0 N0², 2^26) (one chunk of the
 *           top level's self-attention: its fp32 scores and softmax, {@code Attention.MAX_SCORES}) + min(G N0 N Dm
 *           L P 4, 2^26) x b (MMFS's gathered corners at the top level, in chunks of at most
 *           {@code MmfsBlock.MAX_SAMPLES}: N images (at least 1, an empty slot), UNet MMFS value width Dm, L levels,
 *           P points, 4 bilinear corners);</li>
 *       <li>VAE decoder at the output size S px (c0 its widest-resolution channels; mid-block attention over
 *           (S / factor)² latents): (6 c0 S² + 2 (S / factor)^4) x 4 (fp32 in every precision).</li>
 *     </ul></li>
 *   <li><b>runtime</b>: libtorch and the JVM on the host, {@value #RUNTIME_HOST_MIB} MiB; on a GPU also, on the
 *       device, the CUDA context ({@value #CUDA_CONTEXT_MIB} MiB), cuBLAS and cuDNN ({@value #CUDA_LIBRARIES_MIB}
 *       MiB) and an allowance for cuDNN's workspaces and the allocator's slack ({@value #GPU_SLACK_MIB} MiB), all
 *       three measured (see the constants).</li>
 *   <li><b>loading</b> (host, transient): the largest tensor as fp32, converted before it is handed to libtorch.</li>
 * </ul>
 * On the CPU everything is host memory; on a GPU the weights, caches and activations are device memory and the host
 * keeps the runtime and the loading buffer. Allocator slack, fragmentation and the page cache of memory-mapped
 * weights are not counted. The engine computes in fp32 or fp16; a bf16 plan is what bf16 compute would need
 * ({@link Precision#BF16} is planned only, not runnable).
 */
public final class MemoryPlan {
    public static final long MIB = 1L << 20;
    public static final long GIB = 1L << 30;
    public static final int RUNTIME_HOST_MIB = 512;
    /**
     * The CUDA context, made before the load-time check reads the free memory: weft-small's GPU footprint right
     * after loading (549 MiB on an H200 with CUDA 12.8) less its 20 MiB of weights.
     */
    public static final int CUDA_CONTEXT_MIB = 530;
    /**
     * cuBLAS and cuDNN, loaded on first use (handles, kernels, their default workspaces): weft-small's whole-run peak
     * (817 MiB, whose own tensors are about 30 MiB) less the context and weights.
     */
    public static final int CUDA_LIBRARIES_MIB = 260;
    /**
     * What the terms above do not model on a GPU: cuDNN's per-convolution workspaces, which it sizes to the memory
     * it finds, and the caching allocator's rounding and fragmentation. Set from the 13b's measurement: its bench
     * ran out of memory with exactly the other terms' sum free, and its peak on a large card was 1.0 GiB above it.
     */
    public static final int GPU_SLACK_MIB = 1024;
    /** The VAE's parameters: kept in fp32 whatever the precision. */
    static final String VAE_PREFIX = "image_decoder.decoder.vae.";
    /** Guidance doubles the UNet batch. */
    static final int UNET_BATCH = 2;

    public enum Target {
        CPU, GPU;

        public static Target parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "cpu" -> CPU;
                case "gpu", "cuda" -> GPU;
                default -> throw new IllegalArgumentException("--device: expected cpu or gpu, found " + s);
            };
        }

        /** Where a DJL device computes: GPU for a CUDA device, else (null included) CPU. */
        public static Target of(Device device) {
            return device != null && device.isGpu() ? GPU : CPU;
        }
    }

    /** One term of the plan. */
    public record Item(String what, long bytes, String detail) { }

    private final ModelConfig cfg;
    private final Precision precision;
    private final Target target;
    private final int tokens;
    private final int images;
    private final long parameters;
    private final List<Item> host = new ArrayList<>();
    private final List<Item> device = new ArrayList<>();
    private final Map<String, Long> activations = new LinkedHashMap<>();

    private MemoryPlan(ModelConfig cfg, Precision precision, Target target, int tokens, int images) {
        this.cfg = cfg;
        this.precision = precision;
        this.target = target;
        this.tokens = tokens;
        this.images = images;
        Map<String, long[]> shapes = new LinkedHashMap<>();
        this.parameters = MMInterleaved.shapes(cfg, shapes).parameterCount();
        long largest = 0;
        long vaeParameters = 0;
        int mmfsLayers = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            largest = Math.max(largest, numel(e.getValue()));
            if (e.getKey().startsWith(VAE_PREFIX)) {
                vaeParameters += numel(e.getValue());
            }
            if (e.getKey().startsWith("mm_decoder.") && e.getKey().endsWith(".llama_cross_attn.gate")) {
                mmfsLayers++;
            }
        }
        long b = precision.bytes();
        LlmConfig llm = cfg.llm();
        VisionConfig v = cfg.vision();
        long t = tokens;
        long capacity = KvCache.capacity(tokens, llm.maxPositions());

        List<Item> work = target == Target.CPU ? host : device;
        long rest = parameters - vaeParameters;
        work.add(new Item("weights", rest * b + vaeParameters * 4, b == 4
                ? String.format(Locale.ROOT, "%,d parameters x 4 B", parameters)
                : String.format(Locale.ROOT, "%,d parameters x %d B + VAE %,d x 4 B", rest, b, vaeParameters)));
        work.add(new Item("KV cache", 2L * llm.numLayers() * capacity * llm.hiddenSize() * b,
                String.format(Locale.ROOT, "2 x %d layers x %d slots (for %d tokens) x %d x %d B",
                        llm.numLayers(), capacity, tokens, llm.hiddenSize(), b)));
        long perImage = imageBytes(mmfsLayers);
        work.add(new Item("images in context", images * perImage,
                String.format(Locale.ROOT, "%d x %s (features, visual tokens, MMFS values of %d LLM layers and "
                        + "%d UNet blocks)", images, human(perImage), mmfsLayers, cfg.unet().numDownSkips() + 1)));
        work.add(new Item("hidden states", t * llm.hiddenSize() * b,
                String.format(Locale.ROOT, "%d tokens x %d x %d B", tokens, llm.hiddenSize(), b)));
        activations.put("LLM over " + tokens + " tokens", llmActivations(t, b));
        activations.put("vision encoder", visionActivations(b));
        activations.put("UNet (batch " + UNET_BATCH + ")", unetActivations(b));
        activations.put("VAE decoder", vaeActivations() * 4);
        Map.Entry<String, Long> peak = activations.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        work.add(new Item("activations (peak)", peak.getValue(), peak.getKey()));
        host.add(new Item("runtime", RUNTIME_HOST_MIB * MIB, "libtorch and the JVM"));
        if (target == Target.GPU) {
            device.add(new Item("CUDA context", CUDA_CONTEXT_MIB * MIB, "per process"));
            device.add(new Item("cuBLAS and cuDNN", CUDA_LIBRARIES_MIB * MIB, "handles and kernels, loaded on first use"));
            device.add(new Item("workspaces, slack", GPU_SLACK_MIB * MIB,
                    "cuDNN workspaces, allocator rounding and fragmentation (measured)"));
        }
        host.add(new Item("loading (transient)", largest * 4, String.format(Locale.ROOT,
                "largest tensor, %,d values as fp32", largest)));
    }

    /** The plan for a document of {@code tokens} tokens holding {@code images} images. */
    public static MemoryPlan of(ModelConfig cfg, Precision precision, Target target, int tokens, int images) {
        int max = cfg.llm().maxPositions();
        if (tokens < 1 || tokens > max) {
            throw new IllegalArgumentException("--tokens: expected 1 to " + max + " (the model's context), found "
                    + tokens);
        }
        if (images < 0) {
            throw new IllegalArgumentException("--images: expected 0 or more, found " + images);
        }
        return new MemoryPlan(cfg, precision, target, tokens, images);
    }

    /** As {@link #of(ModelConfig, Precision, Target, int, int)} with {@link #defaultImages} images. */
    public static MemoryPlan of(ModelConfig cfg, Precision precision, Target target, int tokens) {
        return of(cfg, precision, target, tokens, defaultImages(cfg, tokens));
    }

    /** One image per 256 tokens of document, at least 1, at most the LLM's MMFS image limit. */
    public static int defaultImages(ModelConfig cfg, int tokens) {
        return Math.max(1, Math.min(cfg.llm().mmfs().maxImages(), tokens / 256));
    }

    /** The default document: 1024 tokens, or the model's whole context when shorter. */
    public static int defaultTokens(ModelConfig cfg) {
        return Math.min(1024, cfg.llm().maxPositions());
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Elements of one image's state (times b for bytes). */
    private long imageBytes(int mmfsLayers) {
        VisionConfig v = cfg.vision();
        int[] sides = v.featureSizes();
        long all = 0;
        for (int s : sides) {
            all += (long) s * s;
        }
        int levels = cfg.llm().mmfs().numLevels();
        long mmfs = 0;
        for (int i = sides.length - levels; i < sides.length; i++) {
            mmfs += (long) sides[i] * sides[i];
        }
        int unetLevels = cfg.unet().mmfs().numLevels();
        long unetMaps = 0;
        for (int i = sides.length - unetLevels; i < sides.length; i++) {
            unetMaps += (long) sides[i] * sides[i];
        }
        long unetBlocks = cfg.unet().numDownSkips() + 1L;
        long elems = all * v.hiddenSize() + (long) cfg.numImageTokens() * cfg.llm().hiddenSize()
                + mmfsLayers * mmfs * cfg.llm().mmfs().valueDim()
                + UNET_BATCH * unetBlocks * unetMaps * cfg.unet().mmfs().valueDim();
        return elems * precision.bytes();
    }

    /** Bytes; the attention scores and softmax at 4 B in every precision (they are computed in fp32). */
    long llmActivations(long t, long b) {
        LlmConfig l = cfg.llm();
        return t * (6L * l.hiddenSize() + 3L * l.intermediateSize()) * b + 2L * l.numHeads() * t * t * 4;
    }

    long visionActivations(long b) {
        VisionConfig v = cfg.vision();
        long p = (long) v.grid() * v.grid() + 1;
        long f = 0;
        for (int s : v.featureSizes()) {
            f += (long) s * s;
        }
        return (p * (6L * v.hiddenSize() + v.intermediateSize()) + 8L * f * v.hiddenSize()) * b
                + 2L * v.numHeads() * p * p * 4;
    }

    long unetActivations(long b) {
        UNetConfig u = cfg.unet();
        long side = u.sampleSize();
        long n0 = side * side;
        long c0 = u.blockOutChannels().get(0);
        long h0 = u.attentionHeadDim().get(0);
        long skips = 0;
        for (int i = 0; i < u.blockOutChannels().size(); i++) {
            long s = side >> i;
            skips += u.blockOutChannels().get(i) * s * s;
        }
        long maps = UNET_BATCH * (16 * c0 * n0 + (u.layersPerBlock() + 1L) * skips) * b;
        long attention = 8 * Math.min(UNET_BATCH * h0 * n0 * n0, Attention.MAX_SCORES);
        MmfsConfig m = u.mmfs();
        long corners = Math.min(UNET_BATCH * n0 * Math.max(1, images) * m.valueDim() * m.numLevels()
                * m.numPoints() * 4, MmfsBlock.MAX_SAMPLES);
        return maps + attention + corners * b;
    }

    long vaeActivations() {
        VaeConfig v = cfg.vae();
        long s = cfg.decoderImageSize();
        long c0 = v.blockOutChannels().get(0);
        long lat = (s / v.downsampleFactor()) * (s / v.downsampleFactor());
        return 6 * c0 * s * s + 2 * lat * lat;
    }

    public ModelConfig config() {
        return cfg;
    }

    public Precision precision() {
        return precision;
    }

    public Target target() {
        return target;
    }

    public int tokens() {
        return tokens;
    }

    public int images() {
        return images;
    }

    public long parameters() {
        return parameters;
    }

    /** Host terms, in order. */
    public List<Item> host() {
        return Collections.unmodifiableList(host);
    }

    /** Device terms (empty on the CPU). */
    public List<Item> device() {
        return Collections.unmodifiableList(device);
    }

    /** Each component's activation estimate; the plan counts the largest. */
    public Map<String, Long> activations() {
        return Collections.unmodifiableMap(activations);
    }

    public long hostBytes() {
        return host.stream().mapToLong(Item::bytes).sum();
    }

    public long deviceBytes() {
        return device.stream().mapToLong(Item::bytes).sum();
    }

    /** A term by name, 0 when absent. */
    public long bytes(String what) {
        long n = 0;
        for (Item i : host) {
            n += i.what().equals(what) ? i.bytes() : 0;
        }
        for (Item i : device) {
            n += i.what().equals(what) ? i.bytes() : 0;
        }
        return n;
    }

    /** The plan as lines for a terminal. */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "memory plan: %s weights and compute on the %s, a document of %d tokens "
                + "with %d image(s)", precision.name().toLowerCase(Locale.ROOT), target == Target.CPU ? "CPU" : "GPU",
                tokens, images));
        if (target == Target.GPU) {
            out.add(String.format(Locale.ROOT, "  device  ~%s", human(deviceBytes())));
            device.forEach(i -> out.add(String.format(Locale.ROOT, "    %-20s %10s  %s", i.what(), human(i.bytes()),
                    i.detail())));
        }
        out.add(String.format(Locale.ROOT, "  host    ~%s", human(hostBytes())));
        host.forEach(i -> out.add(String.format(Locale.ROOT, "    %-20s %10s  %s", i.what(), human(i.bytes()),
                i.detail())));
        StringBuilder a = new StringBuilder("  activations by component:");
        activations.forEach((k, v) -> a.append(' ').append(k).append(' ').append(human(v)).append(';'));
        out.add(a.substring(0, a.length() - 1));
        if (!precision.runnable()) {
            out.add("  note: the engine computes in fp32 or fp16 (--dtype); this is what " + precision
                    + " compute would need");
        }
        return out;
    }

    public static String human(long bytes) {
        if (bytes >= GIB) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) GIB);
        }
        if (bytes >= MIB) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
        }
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
}
