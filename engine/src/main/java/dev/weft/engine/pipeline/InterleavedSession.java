package dev.weft.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.config.TokenConfig;
import dev.weft.engine.diffusion.MmfsInput;
import dev.weft.engine.diffusion.MmfsNet;
import dev.weft.engine.diffusion.schedulers.Scheduler;
import dev.weft.engine.diffusion.schedulers.StepNoise;
import dev.weft.engine.llm.CrossMask;
import dev.weft.engine.llm.KvCache;
import dev.weft.engine.llm.VisionFeatures;
import dev.weft.engine.image.Images;
import dev.weft.engine.model.MMInterleaved;
import dev.weft.engine.nn.Resize;
import dev.weft.engine.vision.VisualTokenizer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One interleaved sequence being generated, with everything the reference recomputes every round kept instead:
 * the LLM's key/value cache, the final hidden states of every position (the image decoder's context reads them),
 * and each image's visual tokens and multi-scale features (encoded once).
 *
 * <p>Why caching gives the reference's results (MMI {@code inference.py} re-encodes every image and re-runs the
 * whole sequence each round): self-attention is causal; an image is visible to MMFS only from its first
 * {@code <|image|>} on (notes 1.3), so earlier positions never depend on later tokens or images; and MMFS's
 * null-slot logit {@code -log(N * levels)} makes the output independent of how many masked slots there are. Checked
 * against the re-prefilling PyTorch reference by {@code WholeRunParityTest}.
 *
 * <p>MMFS always runs over at least one image slot: before the first image, one zero slot that every token has
 * masked, as in the reference's inference (which always holds at least a placeholder image).
 *
 * <p>Dimensions: T tokens, D LLM width, K visual tokens per image, S encoder image side, Cv vision width.
 */
public final class InterleavedSession implements AutoCloseable {
    private final MMInterleaved model;
    private final ModelConfig cfg;
    private final TokenConfig tok;
    private final NDManager manager;
    private final KvCache cache;
    private final List<Integer> ids = new ArrayList<>();
    private final List<EncodedImage> images = new ArrayList<>();
    private int fed;
    private NDArray hidden;        // (T_fed, D) after the final norm
    private float[] lastLogits;    // (V) after the last fed token
    private VisionFeatures packed; // the LLM's MMFS input for the current images
    private int packedCount = -1;

    /** One image of the sequence: its visual tokens and multi-scale features. */
    public record EncodedImage(NDArray visEmbed /* (1, K, D) */, List<NDArray> features /* c1..c4 (1, Cv, h, w) */) { }

    public InterleavedSession(MMInterleaved model, NDManager parent) {
        this.model = model;
        this.cfg = model.config;
        this.tok = cfg.tokens();
        this.manager = parent.newSubManager();
        this.cache = model.mmDecoder.newCache(manager);
    }

    public List<Integer> ids() {
        return Collections.unmodifiableList(ids);
    }

    public int imageCount() {
        return images.size();
    }

    /** Appends token ids (text, {@code <s>}, {@code </s>}, {@code <|beginofimage|>}); image tokens come with images. */
    public void appendTokens(List<Integer> tokens) {
        for (int t : tokens) {
            if (t == tok.image()) {
                throw new IllegalArgumentException("<|image|> tokens are added with their image (appendImage)");
            }
        }
        requireRoom(tokens.size(), 0);
        ids.addAll(tokens);
    }

    /**
     * The model's limits, checked before anything is appended: its context length ({@code llm.max_positions}) and
     * the images MMFS can tell apart ({@code query_relpos} has {@code max_images} rows, index 0 meaning hidden).
     */
    private void requireRoom(int newTokens, int newImages) {
        int max = cfg.llm().maxPositions();
        int k = cfg.numImageTokens();
        if (ids.size() + newTokens > max) {
            throw new IllegalArgumentException("document too long for this model: " + (ids.size() + newTokens)
                    + " tokens, at most " + max + " (each image takes " + (k + 1) + ")");
        }
        int maxImages = cfg.llm().mmfs().maxImages() - 1;
        if (images.size() + newImages > maxImages) {
            throw new IllegalArgumentException("too many images for this model: " + (images.size() + newImages)
                    + ", at most " + maxImages + " in one sequence");
        }
    }

    /** Whether {@code newTokens} more tokens and {@code newImages} more images fit the model's limits. */
    public boolean hasRoom(int newTokens, int newImages) {
        return ids.size() + newTokens <= cfg.llm().maxPositions()
                && images.size() + newImages <= cfg.llm().mmfs().maxImages() - 1;
    }

    /** Tokens in the sequence so far (the context the next step sees). */
    public int length() {
        return ids.size();
    }

    /**
     * Appends a whole image span, {@code <|beginofimage|>} and K {@code <|image|>}.
     *
     * @param pixels (1, 3, S, S) in [0, 1] at the encoder's size
     */
    public void appendImage(NDArray pixels) {
        requireRoom(1 + cfg.numImageTokens(), 1);
        ids.add(tok.boi());
        completeImage(pixels);
    }

    /** Supplies the image of a trailing {@code <|beginofimage|>} (after generating it) and appends its K tokens. */
    public void completeImage(NDArray pixels) {
        if (ids.isEmpty() || ids.get(ids.size() - 1) != tok.boi()) {
            throw new IllegalStateException("completeImage: the sequence does not end with <|beginofimage|>");
        }
        requireRoom(cfg.numImageTokens(), 1);
        int s = cfg.vision().imageSize();
        if (pixels.getShape().dimension() != 4 || pixels.getShape().get(0) != 1 || pixels.getShape().get(1) != 3) {
            throw new IllegalArgumentException("image pixels: expected (1, 3, H, W), found " + pixels.getShape());
        }
        try (NDManager step = manager.newSubManager()) {
            NDArray px = pixels.duplicate();
            px.attach(step);
            if (px.getShape().get(2) != s || px.getShape().get(3) != s) {
                px = Resize.forEncoder(px, s);                                        // (1, 3, S, S)
            }
            VisualTokenizer.Output out = model.visualTokenizer.forward(px);
            NDArray vis = out.visEmbed();
            vis.attach(manager);
            List<NDArray> feats = new ArrayList<>();
            for (NDArray f : out.multiscaleFeatures()) {
                f.attach(manager);
                feats.add(f);
            }
            images.add(new EncodedImage(vis, feats));
        }
        int k = cfg.numImageTokens();
        for (int i = 0; i < k; i++) {
            ids.add(tok.image());
        }
    }

    /** Runs every token not yet seen through the LLM (one forward over the new chunk, using the cache). */
    public void flush() {
        int total = ids.size();
        if (fed == total) {
            return;
        }
        int k = cfg.numImageTokens();
        int imageTokensBefore = 0;
        for (int i = 0; i < fed; i++) {
            if (ids.get(i) == tok.image()) {
                imageTokensBefore++;
            }
        }
        int imageTokensNew = 0;
        for (int i = fed; i < total; i++) {
            if (ids.get(i) == tok.image()) {
                imageTokensNew++;
            }
        }
        if (imageTokensBefore % k != 0 || imageTokensNew % k != 0) {
            throw new IllegalStateException("image spans must be fed whole");
        }
        int t = total - fed;
        try (NDManager step = manager.newSubManager()) {
            // 1. embeddings of the new tokens, visual tokens in their <|image|> rows
            long[] chunk = new long[t];
            for (int i = 0; i < t; i++) {
                chunk[i] = ids.get(fed + i);
            }
            NDArray idArr = step.create(chunk, new Shape(1, t));                       // (1, T)
            NDArray imageEmbeds = null;
            int first = imageTokensBefore / k;
            int count = imageTokensNew / k;
            if (count > 0) {
                NDList l = new NDList();
                for (int i = first; i < first + count; i++) {
                    l.add(images.get(i).visEmbed());
                }
                imageEmbeds = NDArrays.concat(l, 0);                                   // (I, K, D)
                imageEmbeds.attach(step);
            }
            NDArray embeds = model.mmDecoder.embedMultimodal(idArr, imageEmbeds, model.context.soiToken(), tok);
            // 2. MMFS inputs: the images so far (at least one slot) and the new rows of the cross mask
            VisionFeatures feats = visionFeatures();
            NDArray mask = crossMaskRows(step, fed, total, (int) feats.numImages());   // (1, T, N)
            // 3. the LLM, then the text head on the last position
            NDArray h = model.mmDecoder.forward(embeds, null, cache, feats, mask);   // (1, T, D)
            NDArray h2 = h.reshape(t, cfg.llm().hiddenSize());                         // (T, D)
            NDArray all = hidden == null ? h2 : hidden.concat(h2, 0);                  // (T_fed + T, D)
            all.attach(manager);
            if (hidden != null) {
                hidden.close();
            }
            hidden = all;
            NDArray logits = model.textDecoder.forward(h.get(":, -1:, :"));           // (1, 1, V)
            lastLogits = logits.toFloatArray();
        }
        fed = total;
    }

    private VisionFeatures visionFeatures() {
        if (packed != null && packedCount == images.size()) {
            return packed;
        }
        int[] sides = model.mmDecoder.spatialShapes();
        if (images.isEmpty()) {
            long sv = 0;
            for (int s : sides) {
                sv += (long) s * s;
            }
            long[][] shapes = new long[sides.length][];
            for (int i = 0; i < sides.length; i++) {
                shapes[i] = new long[] {sides[i], sides[i]};
            }
            packed = new VisionFeatures(manager.zeros(new Shape(1, 1, sv, cfg.vision().hiddenSize()),
                    model.dataType()), shapes);
        } else {
            List<NDArray> levels = new ArrayList<>();
            int nLevels = images.get(0).features().size();
            for (int l = 0; l < nLevels; l++) {
                NDList per = new NDList();
                for (EncodedImage im : images) {
                    per.add(im.features().get(l));
                }
                levels.add(NDArrays.concat(per, 0));                                   // (I, Cv, h, w)
            }
            packed = VisionFeatures.pack(levels, new int[] {images.size()}, sides);
            packed.features().attach(manager);
        }
        packedCount = images.size();
        return packed;
    }

    /** Rows [from, to) of the previous-images-only mask over n slots (slots past the existing images: masked). */
    private NDArray crossMaskRows(NDManager m, int from, int to, int n) {
        long[] all = new long[to];
        for (int i = 0; i < to; i++) {
            all[i] = ids.get(i);
        }
        int t = to - from;
        float[] out = new float[t * n];
        if (ids.subList(0, to).contains(tok.boi())) {
            CrossMask cm = CrossMask.build(m, new long[][] {all}, tok);
            int slots = cm.numSlots();
            float[] full = cm.mask().toFloatArray();                                    // (1, to, slots)
            int c = Math.min(n, slots);
            for (int r = 0; r < t; r++) {
                System.arraycopy(full, (from + r) * slots, out, r * n, c);
            }
        }
        return m.create(out, new Shape(1, t, n));
    }

    /** Next-token logits after everything appended so far. */
    public float[] logits() {
        flush();
        return lastLogits.clone();
    }

    /** Hidden states of every position so far, (T, D), valid until the next flush. */
    public NDArray hidden() {
        flush();
        return hidden;
    }

    /** The UNet condition for the trailing {@code <|beginofimage|>}: (1, Q, H), on {@code m}. */
    public NDArray conditionForLastBoi(NDManager m) {
        flush();
        int boi = ids.size() - 1;
        if (boi < 0 || ids.get(boi) != tok.boi()) {
            throw new IllegalStateException("the sequence does not end with <|beginofimage|>");
        }
        NDArray c = model.context.forward(hidden, nearestBos(boi), boi);
        c.attach(m);
        return c;
    }

    private int nearestBos(int pos) {
        for (int i = pos - 1; i >= 0; i--) {
            if (ids.get(i) == tok.bos()) {
                return i;
            }
        }
        return 0;
    }

    /**
     * The multi-scale features of the image right before the trailing {@code <|beginofimage|>}, when that image is
     * in the same document (after the nearest {@code <s>}): the image decoder's MMFS input. Null otherwise.
     */
    public List<NDArray> previousImageFeatures() {
        int boi = ids.size() - 1;
        int bos = -1;
        for (int i = boi - 1; i >= 0; i--) {
            if (ids.get(i) == tok.bos()) {
                bos = i;
                break;
            }
        }
        int prevBoi = -1;
        int index = -1;
        int seen = 0;
        for (int i = 0; i < boi; i++) {
            if (ids.get(i) == tok.boi()) {
                prevBoi = i;
                index = seen++;
            }
        }
        if (prevBoi < 0 || prevBoi <= bos || index >= images.size()) {
            return null;
        }
        return images.get(index).features();
    }

    /**
     * Paints the image of the trailing {@code <|beginofimage|>}: the LLM context through the resampler, then the
     * denoising loop with classifier-free guidance (the learned negative embedding; MMFS features of the previous
     * image in both branches), then the VAE. Checks {@code cancel} between steps.
     *
     * @param initialLatents (1, 4, h, w) standard normal
     * @return (1, 3, H, W) in [0, 1], on {@code out}
     */
    public NDArray paint(NDManager out, Scheduler scheduler, int steps, float guidance, NDArray initialLatents,
                         StepNoise noise, GenerationListener listener, CancellationToken cancel) {
        try (NDManager run = manager.newSubManager()) {
            // 1. condition: context of this image, plus the negative for guidance
            NDArray cond = conditionForLastBoi(run);                                    // (1, Q, H)
            boolean cfgOn = guidance != 1f;
            NDArray ctx = cfgOn ? cond.concat(model.context.negativeEmbeds(), 0) : cond; // (2|1, Q, H)
            ctx.attach(run);
            int batch = cfgOn ? 2 : 1;
            // 2. MMFSNet input: the previous image of this document, or an empty masked slot
            List<NDArray> prev = previousImageFeatures();
            MmfsInput mmfs;
            if (prev == null) {
                mmfs = MmfsInput.empty(run, batch, cfg.vision().hiddenSize(), cfg.vision().featureSizes(),
                        model.dataType());
            } else {
                MmfsInput one = new MmfsInput(prev, run.ones(new Shape(1, 1), DataType.FLOAT32));
                mmfs = batch == 1 ? one : one.repeatBatch(batch);
            }
            MmfsNet.Prepared prepared = model.unet.prepareMmfs(mmfs);
            // 3. denoising loop
            NDArray x = initialLatents.mul(scheduler.initNoiseSigma());                // (1, 4, h, w)
            x.attach(run);
            int[] ts = scheduler.timesteps(steps);
            for (int i = 0; i < ts.length; i++) {
                cancel.check();
                int t = ts[i];
                try (NDManager step = run.newSubManager()) {
                    NDArray xs = x.duplicate();
                    xs.attach(step);
                    NDArray in = scheduler.scaleModelInput(xs, t);
                    NDArray eps = model.unet.forward(cfgOn ? in.concat(in, 0) : in, step.create(new float[] {t}), ctx,
                            prepared);
                    if (cfgOn) {
                        NDArray c = eps.get("0:1");
                        NDArray u = eps.get("1:2");
                        eps = u.add(c.sub(u).mul(guidance));                            // eps_u + g (eps_c - eps_u)
                    }
                    NDArray next = scheduler.step(eps, t, xs, noise);
                    NDArray epsFinal = eps;
                    float abar = scheduler.schedule().abar(t);
                    listener.onImageStep(i + 1, ts.length, () -> Images.fromTensor(decode(
                            xs.sub(epsFinal.mul((float) Math.sqrt(1 - abar))).div((float) Math.sqrt(abar)))));
                    next.attach(run);
                    x.close();
                    x = next;
                }
            }
            // 4. VAE
            NDArray img = decode(x);
            img.attach(out);
            return img;
        }
    }

    /** Latents (1, 4, h, w) to an image (1, 3, H, W) in [0, 1]. */
    public NDArray decode(NDArray latents) {
        NDArray img = model.vae.decode(latents.div(model.vae.scalingFactor()));
        return img.div(2f).add(0.5f).clip(0f, 1f);
    }

    @Override
    public void close() {
        cache.close();
        manager.close();
    }
}
