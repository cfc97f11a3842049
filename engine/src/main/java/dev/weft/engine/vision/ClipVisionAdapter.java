package dev.weft.engine.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.nn.Conv2d;
import dev.weft.engine.nn.Embedding;
import dev.weft.engine.nn.Init;
import dev.weft.engine.nn.LayerNorm;
import dev.weft.engine.nn.Resize;
import dev.weft.engine.nn.WeightPath;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * MM-Interleaved's visual encoder: CLIP ViT-L/14 (transformers 4.31 names) wrapped in a ViT-Adapter, mirroring
 * {@code CLIPVisionTransformerAdapter} in {@code MMI: mm_interleaved/models/encoders/vit_adapter/vit_adapter_hf.py}
 * (and {@code adapter_modules.py}). Built at the checkpoint prefix {@code visual_tokenizer.encoder.vision_model}.
 *
 * <p>Dimensions: B batch, S input side ({@code imageSize}, 224), C width (1024), G = S / patch patch grid (16),
 * T = 1 + G*G tokens, S2 = G * 16 side of the spatial-prior image (256), N = 21/4 G^2 pyramid tokens
 * (c2 (2G)^2 + c3 G^2 + c4 (G/2)^2), h, w a feature map's sides.
 *
 * <p>What it returns: the CLIP last hidden state after the adapter's last interaction block (cls + patch
 * tokens, no post-LayerNorm: the reference's {@code post_layernorm} is {@code nn.Identity}, so the checkpoint
 * has no such keys and none are requested), which the visual tokenizer feeds to the Q-Former; and the four
 * multi-scale maps c1..c4 with sides 4G, 2G, G, G/2 (64, 32, 16, 8). The 2-D sin-cos position embedding added
 * to those maps belongs to {@code visual_tokenizer.py} ({@code pos_embed}), not to this module.
 *
 * <p>Note the adapter is not a side branch: the injectors modify the ViT stream, so the last hidden state
 * equals plain CLIP's only when every injector's {@code gamma} is zero (as at initialisation).
 *
 * <p>Generalisation of the reference: it hard-codes 4 interaction blocks for 24 layers and adds block k's
 * output to scale k. Here the blocks follow {@link VisionConfig#interactionIndexes()} and scale k takes block
 * {@code ceil((k+1) n / 4) - 1} ({@link #scaleSources(int)}), the identity for the published n = 4.
 *
 * <p>The checkpoint also stores {@code embeddings.position_ids} (a persistent int64 buffer of the reference's
 * embeddings); it is not a parameter and {@code Params} ignores it by default.
 */
public final class ClipVisionAdapter {
    private final VisionConfig cfg;
    private final NDArray classEmbedding;      // (C)
    private final Conv2d patchEmbedding;       // (C, 3, patch, patch), no bias
    private final Embedding positionEmbedding; // (T, C)
    private final LayerNorm preLayrnorm;
    private final List<ClipEncoderLayer> layers = new ArrayList<>();
    private final NDArray levelEmbed;          // (3, C)
    private final SpatialPriorModule spm;
    private final List<InteractionBlock> interactions = new ArrayList<>();
    private final NDArray upWeight;            // (C, C, 2, 2): ConvTranspose2d (in, out, kh, kw)
    private final NDArray upBias;              // (C)

    // derived, built on first forward on the weights' manager
    private NDArray cls3;                      // (1, 1, C)
    private NDArray[] levelRows;               // 3 x (C)
    private NDArray upMatrix;                  // (C, C*4)
    private NDArray upBias4;                   // (1, C, 1, 1)
    private DeformInputs deform;

    /** The encoder's outputs. */
    public record Output(NDArray lastHidden /* (B, 1+G*G, C) */, List<NDArray> features /* c1..c4, (B, C, h, w) */) { }

    /** Intermediate values for tests and inspection. */
    public record Trace(Output output, List<NDArray> spatialPriors /* SPM c1 map, c2..c4 tokens */,
                        List<NDArray> interactionOutputs /* patch maps (B, C, G, G) after each block */) { }

    public ClipVisionAdapter(WeightPath p, VisionConfig cfg) {
        this.cfg = cfg;
        long c = cfg.hiddenSize();
        int g = cfg.grid();
        if (g % 2 != 0) {
            throw new IllegalArgumentException("vision: the adapter needs an even patch grid, found " + g);
        }
        if (cfg.spmImageSize() < cfg.imageSize()) {
            // DJL's bilinear resize antialiases when it shrinks, unlike the reference's F.interpolate
            throw new IllegalArgumentException("vision: patch_size " + cfg.patchSize()
                    + " > 16 would shrink the spatial-prior image; not supported");
        }
        WeightPath e = p.pp("embeddings");
        this.classEmbedding = e.get("class_embedding", Init.normal(0.02f), c);
        this.patchEmbedding = new Conv2d(e.pp("patch_embedding"), 3, c, cfg.patchSize(), cfg.patchSize(), 0, false);
        this.positionEmbedding = new Embedding(e.pp("position_embedding"), (long) g * g + 1, c);
        this.preLayrnorm = new LayerNorm(p.pp("pre_layrnorm"), c, (float) cfg.layerNormEps());
        for (int i = 0; i < cfg.numLayers(); i++) {
            layers.add(new ClipEncoderLayer(p.pp("encoder").pp("layers").pp(i), cfg));
        }
        this.levelEmbed = p.get("adapter_level_embed", Init.zeros(), 3, c);
        this.spm = new SpatialPriorModule(p.pp("adapter_spm"), cfg);
        int n = cfg.interactionIndexes().length;
        for (int i = 0; i < n; i++) {
            interactions.add(new InteractionBlock(p.pp("adapter_interactions").pp(i), cfg, i == n - 1));
        }
        WeightPath up = p.pp("adapter_up");
        this.upWeight = up.get("weight", c, c, 2, 2);
        this.upBias = up.get("bias", c);
    }

    public VisionConfig config() {
        return cfg;
    }

    /** The spatial-prior CNN (its input is {@link #spatialPriorInput}). */
    public SpatialPriorModule spatialPrior() {
        return spm;
    }

    /**
     * @param pixels (B, 3, S, S) CLIP-normalised, S = {@code cfg.imageSize()}
     * @return last hidden state (B, 1+G*G, C) and c1..c4, (B, C, 4G, 4G), (B, C, 2G, 2G), (B, C, G, G),
     *     (B, C, G/2, G/2)
     */
    public Output forward(NDArray pixels) {
        return run(pixels, null, null);
    }

    /** {@link #forward} plus the spatial-prior outputs and each interaction block's patch map. */
    public Trace forwardWithTrace(NDArray pixels) {
        List<NDArray> priors = new ArrayList<>();
        List<NDArray> outs = new ArrayList<>();
        Output o = run(pixels, priors, outs);
        return new Trace(o, Collections.unmodifiableList(priors), Collections.unmodifiableList(outs));
    }

    /** The image the spatial-prior CNN sees: pixels resized bilinearly (align_corners=False) to G*16. */
    public NDArray spatialPriorInput(NDArray pixels) {
        checkPixels(pixels);
        int s2 = cfg.spmImageSize();
        return Resize.bilinearUp(pixels, s2, s2);                                   // (B, 3, S2, S2)
    }

    /**
     * Plain CLIP without the adapter (transformers' CLIPVisionModel {@code hidden_states}): the embeddings after
     * {@code pre_layrnorm}, then the output of each layer; the last entry is CLIP's last hidden state before
     * {@code post_layernorm}. Each (B, T, C).
     */
    public List<NDArray> vitHiddenStates(NDArray pixels) {
        List<NDArray> out = new ArrayList<>();
        NDArray h = embed(pixels);
        out.add(h);
        for (ClipEncoderLayer layer : layers) {
            h = layer.forward(h);
            out.add(h);
        }
        return out;
    }

    /** Which interaction block's patch map is added to each of the 4 scales ({0, 1, 2, 3} for n = 4). */
    public static int[] scaleSources(int n) {
        int[] r = new int[4];
        for (int k = 0; k < 4; k++) {
            r[k] = (int) Math.ceil((k + 1) * n / 4.0) - 1;
        }
        return r;
    }

    private Output run(NDArray pixels, List<NDArray> priors, List<NDArray> outs) {
        derive();
        int g = cfg.grid();
        long c = cfg.hiddenSize();
        long b = pixels.getShape().get(0);
        // 1. CLIP embeddings and pre-LayerNorm; the spatial-prior image, resized from the normalised pixels
        NDArray h = embed(pixels);                                                   // (B, T, C)
        NDArray resized = spatialPriorInput(pixels);                                 // (B, 3, S2, S2)
        // 2. spatial priors; level embeddings on c2..c4, concatenated into one token sequence
        List<NDArray> sp = spm.forward(resized);
        if (priors != null) {
            priors.addAll(sp);
        }
        NDArray pyramid = NDArrays.concat(new NDList(sp.get(1).add(levelRows[0]), sp.get(2).add(levelRows[1]),
                sp.get(3).add(levelRows[2])), 1);                                   // (B, N, C)
        // 3. interactions: inject, run the block's CLIP layers, extract (vit_adapter_hf.py forward loop)
        InteractionBlock.State s = new InteractionBlock.State(h.get(":, 1:"), pyramid, h.get(":, 0:1"));
        int[][] idx = cfg.interactionIndexes();
        List<NDArray> maps = new ArrayList<>();
        for (int i = 0; i < interactions.size(); i++) {
            s = interactions.get(i).forward(s, layers.subList(idx[i][0], idx[i][1] + 1), deform, g);
            maps.add(s.x().transpose(0, 2, 1).reshape(b, c, g, g));                // (B, C, G, G)
        }
        if (outs != null) {
            outs.addAll(maps);
        }
        // 4. split the pyramid back into maps; c1 = up(c2) + SPM c1
        long n2 = 4L * g * g;
        long n3 = (long) g * g;
        NDArray p = s.c();
        NDArray c2 = p.get(":, 0:" + n2).transpose(0, 2, 1).reshape(b, c, 2L * g, 2L * g);          // (B, C, 2G, 2G)
        NDArray c3 = p.get(":, " + n2 + ":" + (n2 + n3)).transpose(0, 2, 1).reshape(b, c, g, g);    // (B, C, G, G)
        NDArray c4 = p.get(":, " + (n2 + n3) + ":").transpose(0, 2, 1).reshape(b, c, g / 2, g / 2); // (B, C, G/2, G/2)
        NDArray c1 = upsample2x(c2).add(sp.get(0));                                                // (B, C, 4G, 4G)
        // 5. add the ViT patch maps, bilinearly resized to each scale
        int[] src = scaleSources(maps.size());
        List<NDArray> feats = List.of(
                c1.add(Resize.bilinearUp(maps.get(src[0]), 4L * g, 4L * g)),
                c2.add(Resize.bilinearUp(maps.get(src[1]), 2L * g, 2L * g)),
                c3.add(maps.get(src[2])),
                c4.add(Resize.half(maps.get(src[3]))));                             // x0.5 bilinear = 2x2 mean
        // 6. last hidden state: cls + patch tokens of the last block
        NDArray last = s.cls().concat(s.x(), 1);                                    // (B, T, C)
        return new Output(last, feats);
    }

    /** Embeddings + pre-LayerNorm: (B, 3, S, S) to (B, T, C). */
    private NDArray embed(NDArray pixels) {
        checkPixels(pixels);
        derive();
        long b = pixels.getShape().get(0);
        long c = cfg.hiddenSize();
        long gg = (long) cfg.grid() * cfg.grid();
        NDArray patches = patchEmbedding.forward(pixels)                            // (B, C, G, G)
                .reshape(b, c, gg).transpose(0, 2, 1);                              // (B, G*G, C)
        NDArray cls = pixels.getManager().zeros(new Shape(b, 1, c), cls3.getDataType()).add(cls3); // (B, 1, C)
        NDArray h = cls.concat(patches, 1).add(positionEmbedding.weight);          // (B, T, C)
        return preLayrnorm.forward(h);
    }

    /**
     * ConvTranspose2d(C, C, kernel 2, stride 2) without a transpose-conv op: each input pixel emits a 2x2 block,
     * {@code out[o, 2i+di, 2j+dj] = sum_c x[c, i, j] W[c, o, di, dj] + bias[o]}, i.e. one matmul then a pixel
     * rearrangement. (B, C, h, w) to (B, C, 2h, 2w).
     */
    private NDArray upsample2x(NDArray x) {
        Shape s = x.getShape();
        long b = s.get(0);
        long c = s.get(1);
        long h = s.get(2);
        long w = s.get(3);
        NDArray y = x.transpose(0, 2, 3, 1).matMul(upMatrix)                        // (B, h, w, C*4)
                .reshape(b, h, w, c, 2, 2)                                          // (B, h, w, C, 2, 2)
                .transpose(0, 3, 1, 4, 2, 5)                                        // (B, C, h, 2, w, 2)
                .reshape(b, c, 2 * h, 2 * w);                                       // (B, C, 2h, 2w)
        return y.add(upBias4);
    }

    private void checkPixels(NDArray pixels) {
        Shape s = pixels.getShape();
        int size = cfg.imageSize();
        if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) != size || s.get(3) != size) {
            throw new IllegalArgumentException("pixels: expected (B, 3, " + size + ", " + size + "), found " + s);
        }
    }

    private synchronized void derive() {
        if (deform != null) {
            return;
        }
        if (classEmbedding == null) {
            throw new IllegalStateException("vision encoder built in SHAPES mode has no weights to run");
        }
        long c = cfg.hiddenSize();
        cls3 = classEmbedding.reshape(1, 1, c);                                     // (1, 1, C)
        levelRows = new NDArray[] {levelEmbed.get(0), levelEmbed.get(1), levelEmbed.get(2)};
        upMatrix = upWeight.reshape(c, c * 4);                                      // (C, C*4)
        upBias4 = upBias.reshape(1, c, 1, 1);                                       // (1, C, 1, 1)
        deform = new DeformInputs(classEmbedding.getManager(), cfg.grid());
    }
}
