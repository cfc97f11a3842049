package dev.weft.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.weft.engine.config.GenerationDefaults;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.config.TokenConfig;
import dev.weft.engine.diffusion.schedulers.Scheduler;
import dev.weft.engine.diffusion.schedulers.StepNoise;
import dev.weft.engine.image.Images;
import dev.weft.engine.memory.MemoryCheck;
import dev.weft.engine.memory.MemoryException;
import dev.weft.engine.memory.MemoryProbe;
import dev.weft.engine.model.MMInterleaved;
import dev.weft.engine.pipeline.CancellationToken;
import dev.weft.engine.pipeline.Document;
import dev.weft.engine.pipeline.GenerationListener;
import dev.weft.engine.pipeline.InterleavedSession;
import dev.weft.engine.pipeline.Rng;
import dev.weft.engine.pipeline.SamplingOptions;
import dev.weft.engine.pipeline.TokenSampler;
import dev.weft.engine.text.TextTokenizer;
import dev.weft.engine.weights.Checkpoints;
import dev.weft.engine.weights.KeyMaps;
import dev.weft.engine.weights.WeightSource;
import dev.weft.engine.weights.WeightsException;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The engine as the CLI and the studio see it: a loaded model and its tokenizer, and the generation modes. One
 * generation runs at a time (methods are synchronized); progress goes to a {@link GenerationListener}, and a
 * {@link CancellationToken} is checked between tokens and between denoising steps.
 *
 * <p>A model folder holds {@code config.json}, {@code tokenizer.json} and the weights ({@code model.safetensors},
 * or shards with {@code model.safetensors.index.json}, or any {@code *.safetensors}; or the released PyTorch
 * checkpoint, {@code pytorch_model*.bin} with or without {@code pytorch_model.bin.index.json}, read without
 * executing its pickles), seen through {@link KeyMaps#released} (checkpoint names to engine names).
 */
public final class Engine implements AutoCloseable {
    /** MM-Interleaved's captioning prompt after the image (notes 1.5); a model may set its own. */
    public static final String CAPTION_PROMPT = GenerationDefaults.MM_INTERLEAVED.captionPrompt();

    static {
        OpenMp.preferPassiveWaiting(); // before libtorch loads: see OpenMp
    }

    private final NDManager manager;
    private final MMInterleaved model;
    private final TextTokenizer tokenizer;
    private final String modelId;
    private final GenerationDefaults defaults;

    private Engine(NDManager manager, MMInterleaved model, TextTokenizer tokenizer, String modelId,
                   GenerationDefaults defaults) {
        this.manager = manager;
        this.model = model;
        this.tokenizer = tokenizer;
        this.modelId = modelId;
        this.defaults = defaults;
    }

    /** Loads a model folder onto a device in fp32; every problem is reported with the file and what is wrong. */
    public static Engine load(Path modelDir, Device device) {
        return load(modelDir, device, Precision.FP32);
    }

    /**
     * Loads a model folder onto a device in a precision (fp16: weights and compute in half precision where safe, see
     * {@link Precision}; on the CPU it works but is slow, for tests).
     */
    public static Engine load(Path modelDir, Device device, Precision precision) {
        return load(modelDir, device, precision, (done, total) -> { }, MemoryProbe.system());
    }

    /**
     * As {@link #load(Path, Device)}, reporting progress as (values read, values stored) after each tensor, so a
     * caller can draw a progress bar.
     */
    public static Engine load(Path modelDir, Device device, java.util.function.BiConsumer<Long, Long> progress) {
        return load(modelDir, device, progress, MemoryProbe.system());
    }

    /**
     * As {@link #load(Path, Device, java.util.function.BiConsumer)}, first refusing with a {@link MemoryException}
     * ("needs ~X GiB of host memory, Y GiB available") when {@link MemoryCheck#forLoad the model's memory plan} does
     * not fit what {@code probe} reports.
     */
    public static Engine load(Path modelDir, Device device, java.util.function.BiConsumer<Long, Long> progress,
                              MemoryProbe probe) {
        return load(modelDir, device, Precision.FP32, progress, probe);
    }

    /**
     * As {@link #load(Path, Device, java.util.function.BiConsumer, MemoryProbe)} in a precision; the memory check
     * uses that precision's plan. A precision that is not {@linkplain Precision#runnable() runnable} (bf16) is
     * refused with an {@link IllegalArgumentException}.
     */
    public static Engine load(Path modelDir, Device device, Precision precision,
                              java.util.function.BiConsumer<Long, Long> progress, MemoryProbe probe) {
        precision.requireRunnable();
        if (!Files.isDirectory(modelDir)) {
            throw new WeightsException(modelDir + ": model folder not found");
        }
        requireVisible(device);
        ModelConfig cfg = ModelConfig.read(modelDir.resolve("config.json"));
        MemoryCheck.require(MemoryCheck.forLoad(cfg, device, precision), probe, device,
                modelDir + " (" + cfg.name() + ", " + precision + ")");
        GenerationDefaults gen = GenerationDefaults.read(modelDir);
        TextTokenizer tok = TextTokenizer.load(modelDir.resolve("tokenizer.json"), cfg.tokens());
        NDManager m = NDManager.newBaseManager(device);
        try (WeightSource w = KeyMaps.released(cfg).apply(Checkpoints.open(modelDir))) {
            MMInterleaved model = MMInterleaved.load(cfg, w, m, precision.dataType(), progress);
            return new Engine(m, model, tok, cfg.name(), gen);
        } catch (RuntimeException e) {
            m.close();
            tok.close();
            throw e;
        }
    }

    /**
     * Refuses a GPU that DJL's libtorch cannot see (a CPU build, or fewer GPUs than the index) with one line, before
     * libtorch fails on the first tensor with a long native message.
     */
    private static void requireVisible(Device device) {
        if (device.isGpu()) {
            int n = Devices.gpuCount();
            if (device.getDeviceId() >= n) {
                String seen = n == 0 ? "no CUDA GPU" : "only " + n + " CUDA GPU(s)";
                throw new IllegalArgumentException(device + ": " + seen + " visible to DJL (engine flavour "
                        + Devices.flavour() + "); see docs/gpu-guide.md");
            }
        }
    }

    /** An engine over a model already built (tests, benchmarks). Takes ownership of {@code manager}. */
    public static Engine of(MMInterleaved model, TextTokenizer tokenizer, NDManager manager) {
        return new Engine(manager, model, tokenizer, model.config.name(), GenerationDefaults.MM_INTERLEAVED);
    }

    /** The model's preferred sampling settings ({@code generation.json}, else MM-Interleaved's). */
    public GenerationDefaults generationDefaults() {
        return defaults;
    }

    public ModelConfig config() {
        return model.config;
    }

    public String modelId() {
        return modelId;
    }

    public Device device() {
        return manager.getDevice();
    }

    /** The precision of the weights and compute ({@link Precision}). */
    public Precision precision() {
        return model.dataType() == ai.djl.ndarray.types.DataType.FLOAT16 ? Precision.FP16 : Precision.FP32;
    }

    public MMInterleaved model() {
        return model;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** What {@link #continueDocument} produced: new items in order, and why it stopped. */
    public record Continuation(List<Document.Item> items, String stoppedBecause) { }

    /**
     * Continues a document: text until {@code </s>} or {@code <|beginofimage|>} (or the token budget, after which an
     * image is started), then an image, inserted, and on until {@code maxImages} images were made or the model
     * ends the document.
     */
    public synchronized Continuation continueDocument(Document doc, SamplingOptions o, GenerationListener l,
                                                      CancellationToken cancel) {
        if (doc.isEmpty()) {
            throw new IllegalArgumentException("empty document: nothing to continue from");
        }
        TokenConfig tok = model.config.tokens();
        List<Document.Item> out = new ArrayList<>();
        try (NDManager run = manager.newSubManager(); InterleavedSession s = new InterleavedSession(model, run)) {
            l.onPhase("reading the document");
            appendDocument(s, run, doc);
            Rng rng = new Rng(o.seed());
            TokenSampler sampler = TokenSampler.nucleus(o, Set.of(tok.eos(), tok.boi()), rng);
            int made = 0;
            while (true) {
                l.onPhase("writing");
                l.onTextStart();
                List<Integer> text = new ArrayList<>();
                int stop = sampleText(s, sampler, o, l, cancel, text);
                String written = tokenizer.decode(text);
                l.onTextEnd(written);
                if (!written.isBlank()) {
                    out.add(new Document.Text(written));
                }
                if (stop == tok.eos()) {
                    return new Continuation(out, "the model ended the document");
                }
                if (stop == CONTEXT_FULL || !s.hasRoom(1, 0)) {
                    return new Continuation(out, contextFull(s));
                }
                if (made >= o.maxImages()) {
                    return new Continuation(out, "image limit reached (" + o.maxImages() + ")");
                }
                l.onPhase("painting image " + (made + 1));
                l.onImageStart(doc.images().size() + made);
                s.appendTokens(List.of(tok.boi()));
                NDArray img = paint(s, run, o, made, l, cancel);
                BufferedImage bi = Images.fromTensor(img);
                out.add(new Document.Image(bi));
                l.onImage(doc.images().size() + made, bi);
                made++;
                if (made >= o.maxImages()) {
                    // nothing follows: no need to encode the image for the LLM
                    return new Continuation(out, "image limit reached (" + o.maxImages() + ")");
                }
                if (!s.hasRoom(model.config.numImageTokens(), 1)) {
                    return new Continuation(out, contextFull(s));
                }
                s.completeImage(img);
            }
        }
    }

    /**
     * Paints the image that comes next in a document, with no text first: the document, then
     * {@code <|beginofimage|>} (as the reference's {@code force_gen_image_next}). For regenerating a story's picture.
     */
    public synchronized BufferedImage paintNext(Document doc, SamplingOptions o, GenerationListener l,
                                                CancellationToken cancel) {
        if (doc.isEmpty()) {
            throw new IllegalArgumentException("empty document: nothing to paint after");
        }
        return paintAfter(doc, "reading the document", o, l, cancel);
    }

    /** The document, {@code <|beginofimage|>}, and the painted image; events carry its index among the images. */
    private BufferedImage paintAfter(Document doc, String phase, SamplingOptions o, GenerationListener l,
                                     CancellationToken cancel) {
        TokenConfig tok = model.config.tokens();
        int index = doc.images().size();
        try (NDManager run = manager.newSubManager(); InterleavedSession s = new InterleavedSession(model, run)) {
            l.onPhase(phase);
            appendDocument(s, run, doc);
            s.appendTokens(List.of(tok.boi()));
            l.onPhase("painting");
            l.onImageStart(index);
            BufferedImage bi = Images.fromTensor(paint(s, run, o, 0, l, cancel));
            l.onImage(index, bi);
            return bi;
        }
    }

    private void appendDocument(InterleavedSession s, NDManager run, Document doc) {
        s.appendTokens(List.of(model.config.tokens().bos()));
        for (Document.Item item : doc.items()) {
            if (item instanceof Document.Text t) {
                s.appendTokens(tokenizer.encode(t.text()));
            } else if (item instanceof Document.Image im) {
                s.appendImage(pixels(run, im.image()));
            }
        }
    }

    /** Text to image: {@code <s>{prompt}<|beginofimage|>} (notes 1.5). */
    public synchronized BufferedImage textToImage(String prompt, SamplingOptions o, GenerationListener l,
                                                  CancellationToken cancel) {
        requireText(prompt, "prompt");
        return generateAfter(List.of(), prompt, o, l, cancel);
    }

    /**
     * Segmentation map to image: {@code <s><|beginofimage|>[map]{caption}.<|beginofimage|>}, the map as the previous
     * image (MMI's ADE20K format, notes 1.7); the image decoder's MMFS reads the map.
     */
    public synchronized BufferedImage segmentToImage(BufferedImage map, String caption, SamplingOptions o,
                                                     GenerationListener l, CancellationToken cancel) {
        String c = caption == null ? "" : caption.strip();
        if (!c.isEmpty() && !c.endsWith(".")) {
            c = c + ".";
        }
        return generateAfter(List.of(map), c, o, l, cancel);
    }

    /** Style reference + text to image: {@code <s><|beginofimage|>[reference]{text}<|beginofimage|>}. */
    public synchronized BufferedImage styleToImage(BufferedImage reference, String text, SamplingOptions o,
                                                   GenerationListener l, CancellationToken cancel) {
        requireText(text, "text");
        return generateAfter(List.of(reference), text, o, l, cancel);
    }

    /** Image to text: {@code <s><|beginofimage|>[image] a photo of} and the model's continuation. */
    public synchronized String caption(BufferedImage image, SamplingOptions o, GenerationListener l,
                                       CancellationToken cancel) {
        TokenConfig tok = model.config.tokens();
        try (NDManager run = manager.newSubManager(); InterleavedSession s = new InterleavedSession(model, run)) {
            s.appendTokens(List.of(tok.bos()));
            s.appendImage(pixels(run, image));
            String prompt = defaults.captionPrompt();
            s.appendTokens(tokenizer.encode(prompt));
            TokenSampler sampler = TokenSampler.nucleus(o, Set.of(tok.eos(), tok.boi()), new Rng(o.seed()));
            List<Integer> text = new ArrayList<>();
            l.onTextStart();
            sampleText(s, sampler, o, l, cancel, text);
            String caption = (prompt + " " + tokenizer.decode(text)).strip();
            l.onTextEnd(caption);
            return caption;
        }
    }

    /** {@code <s>}, the given images, the text, then the painted image. */
    private BufferedImage generateAfter(List<BufferedImage> before, String text, SamplingOptions o,
                                        GenerationListener l, CancellationToken cancel) {
        List<Document.Item> items = new ArrayList<>();
        for (BufferedImage b : before) {
            items.add(new Document.Image(b));
        }
        items.add(new Document.Text(text));
        return paintAfter(new Document(items), "reading the prompt", o, l, cancel);
    }

    private static void requireText(String s, String what) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(what + ": expected some text, found none");
        }
    }

    /** {@link #sampleText} stopped because the sequence reached the model's context length. */
    private static final int CONTEXT_FULL = -2;

    private String contextFull(InterleavedSession s) {
        return "the model's context is full (" + s.length() + " of " + model.config.llm().maxPositions()
                + " tokens, " + s.imageCount() + " images)";
    }

    private int sampleText(InterleavedSession s, TokenSampler sampler, SamplingOptions o, GenerationListener l,
                           CancellationToken cancel, List<Integer> text) {
        TokenConfig tok = model.config.tokens();
        for (int i = 0; i < o.maxNewTokens(); i++) {
            cancel.check();
            if (!s.hasRoom(1, 0)) {
                return CONTEXT_FULL;
            }
            float[] logits = s.logits();
            // only the pipeline places these
            logits[tok.image()] = Float.NEGATIVE_INFINITY;
            logits[tok.bos()] = Float.NEGATIVE_INFINITY;
            logits[tok.pad()] = Float.NEGATIVE_INFINITY;
            int next = sampler.sample(logits, s.ids(), i);
            if (next == tok.eos() || next == tok.boi()) {
                return next;
            }
            s.appendTokens(List.of(next));
            text.add(next);
            l.onToken(next, tokenizer.tokenText(next));
        }
        return -1;
    }

    private NDArray paint(InterleavedSession s, NDManager run, SamplingOptions o, int imageIndex,
                          GenerationListener l, CancellationToken cancel) {
        // per-image seed, as MMI's num + base_seed
        long seed = o.seed() + imageIndex;
        Rng rng = new Rng(seed * 0x9E3779B97F4A7C15L + 17);
        int side = model.config.unet().sampleSize();
        NDArray latents = rng.normal(run, new ai.djl.ndarray.types.Shape(1, model.config.unet().inChannels(), side,
                side));
        try (Scheduler sched = o.scheduler().create(model.config.scheduler())) {
            return s.paint(run, sched, o.steps(), o.guidance(), latents, StepNoise.seeded(seed * 31 + 7), l, cancel);
        }
    }

    private NDArray pixels(NDManager m, BufferedImage img) {
        return Images.toTensor(m, img, model.config.vision().imageSize());
    }

    @Override
    public void close() {
        tokenizer.close();
        manager.close();
    }
}
