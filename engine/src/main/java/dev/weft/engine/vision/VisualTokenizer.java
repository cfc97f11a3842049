package dev.weft.engine.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.config.QFormerConfig;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.nn.Init;
import dev.weft.engine.nn.LayerNorm;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Params;
import dev.weft.engine.nn.WeightPath;
import dev.weft.engine.qformer.MmiPosEmbed;
import dev.weft.engine.qformer.PerceiverResampler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * MM-Interleaved's visual tokenizer ({@code models/encoders/visual_tokenizer.py}), prefix
 * {@code visual_tokenizer}: CLIP normalisation, the CLIP ViT + ViT-Adapter encoder (at
 * {@code visual_tokenizer.encoder.vision_model}: {@code self.encoder} is a {@code CLIPVisionAdapterModel} whose
 * {@code vision_model} is the adapter transformer), then the {@link Glue}: 2-D sin-cos added to the multi-scale
 * maps, and {@code proj(perceiver_resampler(post_ln(pos_ln(pos_proj(last_hidden)) + pos_embed)))}.
 *
 * <p>Dimensions: B images, G patch grid side (16), C encoder width (1024), Q visual tokens (64), H Q-Former width
 * (768), D LLM width (5120), h x w a multi-scale map's size (64, 32, 16, 8).
 *
 * <p>Checkpoint parameters requested here: {@code clip_mean}, {@code clip_std} (1, 3, 1, 1) (persistent buffers,
 * so they are in the state_dict), and those of {@link Glue}; the encoder requests its own.
 *
 * <p>{@link #VisualTokenizer(WeightPath, ModelConfig)} composes the real encoder ({@link ClipVisionAdapter});
 * the other constructor takes any encoder factory (tests use a stub standing in for the encoder's outputs).
 */
public final class VisualTokenizer {
    /** CLIP's normalisation constants (the values of the {@code clip_mean} / {@code clip_std} buffers). */
    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /** What the encoder hands to the glue. */
    public record EncoderOutput(NDArray lastHidden /* (B, 1+G*G, C) */,
                                List<NDArray> features /* c1..c4 (B, C, h, w) */) { }

    /** The image encoder, fed CLIP-normalised pixels (B, 3, 224, 224). */
    @FunctionalInterface
    public interface Encoder {
        EncoderOutput forward(NDArray normalizedPixels);
    }

    /**
     * @param visEmbed (B, Q, D): scattered into the {@code <|image|>} positions of the LLM input
     * @param multiscaleFeatures c1..c4 (B, C, h, w), each with the 2-D position embedding added
     */
    public record Output(NDArray visEmbed, List<NDArray> multiscaleFeatures) { }

    private final NDArray clipMean; // (1, 3, 1, 1)
    private final NDArray clipStd;  // (1, 3, 1, 1)
    private final Encoder encoder;
    private final Glue glue;

    /**
     * The published composition: {@link ClipVisionAdapter} at {@code visual_tokenizer.encoder.vision_model}.
     *
     * @param p the {@code visual_tokenizer} prefix
     */
    public VisualTokenizer(WeightPath p, ModelConfig cfg) {
        this(p, cfg, ep -> {
            ClipVisionAdapter enc = new ClipVisionAdapter(ep, cfg.vision());
            return px -> {
                ClipVisionAdapter.Output o = enc.forward(px);
                return new EncoderOutput(o.lastHidden(), o.features());
            };
        });
    }

    /**
     * @param p the {@code visual_tokenizer} prefix
     * @param encoderFactory builds the encoder at the prefix it is given ({@code visual_tokenizer.encoder.vision_model})
     */
    public VisualTokenizer(WeightPath p, ModelConfig cfg, Function<WeightPath, Encoder> encoderFactory) {
        this.encoder = encoderFactory.apply(p.pp("encoder").pp("vision_model"));
        this.glue = new Glue(p, cfg.vision(), cfg.visualResampler(), cfg.llm().hiddenSize());
        this.clipMean = buffer(p, "clip_mean", CLIP_MEAN);
        this.clipStd = buffer(p, "clip_std", CLIP_STD);
    }

    private static NDArray buffer(WeightPath p, String name, float[] values) {
        NDArray a = p.get(name, Init.zeros(), 1, 3, 1, 1);
        if (p.params().mode() == Params.Mode.INIT) {   // the buffer's fixed value, not a random one
            a = p.params().manager().create(values, new Shape(1, 3, 1, 1)).toType(p.dataType(), false);
        }
        return a;
    }

    public Glue glue() {
        return glue;
    }

    /** (B, 3, H, W) in [0, 1] to CLIP-normalised pixels. */
    public NDArray normalize(NDArray pixels) {
        Shape s = pixels.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) {
            throw new IllegalArgumentException("image: expected (B, 3, H, W) in [0, 1], found " + s);
        }
        return pixels.sub(clipMean).div(clipStd);                     // (B, 3, H, W)
    }

    /**
     * @param pixels (B, 3, 224, 224) in [0, 1] (the numpy transform's output, not yet normalised)
     */
    public Output forward(NDArray pixels) {
        // 1. CLIP normalisation (inside the tokenizer, as MMI does)
        NDArray x = normalize(pixels);                                 // (B, 3, H, W)
        // 2. encoder: last hidden state and multi-scale maps
        EncoderOutput e = encoder.forward(x);
        // 3. position embeddings, resampler, projection to the LLM width
        return glue.forward(e.lastHidden(), e.features());
    }

    /**
     * Everything after the encoder. Parameters (prefix {@code visual_tokenizer}): {@code pos_proj} (Linear C->C),
     * {@code pos_ln} (LayerNorm, eps 1e-6), {@code pos_embed} (1+G*G, C) (an {@code nn.Parameter} with
     * {@code requires_grad=False}: a frozen 2-D sin-cos table with a zero cls row, stored in the checkpoint),
     * {@code perceiver_resampler} (the visual Q-Former), {@code post_ln} (LayerNorm, eps 1e-6), {@code proj}
     * (Linear H->D).
     *
     * <p>Dimensions as in {@link VisualTokenizer}.
     */
    public static final class Glue {
        private final int grid;
        private final long width;
        private final Linear posProj;
        private final LayerNorm posLn;
        private final NDArray posEmbed; // (1+G*G, C)
        private final PerceiverResampler perceiverResampler;
        private final LayerNorm postLn;
        private final Linear proj;
        private final Map<Long, NDArray> featurePos = new HashMap<>(); // (C, h, w) by h, on posEmbed's manager

        public Glue(WeightPath p, VisionConfig v, QFormerConfig q, int llmHidden) {
            this.grid = v.grid();
            this.width = v.hiddenSize();
            this.posProj = new Linear(p.pp("pos_proj"), width, width, true);
            this.posLn = new LayerNorm(p.pp("pos_ln"), width, 1e-6f);
            NDArray pe = p.get("pos_embed", Init.zeros(), 1L + (long) grid * grid, width);
            if (p.params().mode() == Params.Mode.INIT) {  // the frozen table's value, not a random one
                pe = MmiPosEmbed.sinCos2d(p.params().manager(), (int) width, grid, true).toType(p.dataType(), false);
            }
            this.posEmbed = pe;
            this.perceiverResampler = new PerceiverResampler(p.pp("perceiver_resampler"), q);
            this.postLn = new LayerNorm(p.pp("post_ln"), width, 1e-6f);
            this.proj = new Linear(p.pp("proj"), q.hiddenSize(), llmHidden, true);
        }

        /**
         * @param lastHidden (B, 1+G*G, C) encoder output, cls first
         * @param features c1..c4, each (B, C, h, w) with h = w
         */
        public Output forward(NDArray lastHidden, List<NDArray> features) {
            // 1. the 2-D sin-cos table (without its cls row), resized bicubically to each map, added to it
            List<NDArray> ms = new ArrayList<>(features.size());
            for (int i = 0; i < features.size(); i++) {
                NDArray f = features.get(i);
                Shape s = f.getShape();
                if (s.dimension() != 4 || s.get(1) != width || s.get(2) != s.get(3)) {
                    throw new IllegalArgumentException("multiscale_features[" + i + "]: expected (B, " + width
                            + ", h, h), found " + s);
                }
                ms.add(f.add(featurePositionEmbedding(s.get(2))));     // (B, C, h, w)
            }
            // 2. Q-Former input: post_ln(pos_ln(pos_proj(x)) + pos_embed)
            NDArray x = qformerInput(lastHidden);                      // (B, 1+G*G, C)
            // 3. resampler and projection to the LLM width
            NDArray vis = proj.forward(perceiverResampler.forward(x));  // (B, Q, D)
            return new Output(vis, ms);
        }

        /** (B, 1+G*G, C) to the resampler's input (B, 1+G*G, C). */
        public NDArray qformerInput(NDArray lastHidden) {
            Shape s = lastHidden.getShape();
            if (s.dimension() != 3 || s.get(1) != posEmbed.getShape().get(0) || s.get(2) != width) {
                // get_abs_pos would resize the table for another grid; the encoder's grid is fixed by the config
                throw new IllegalArgumentException("last_hidden_state: expected (B, " + posEmbed.getShape().get(0)
                        + ", " + width + "), found " + s);
            }
            NDArray h = posLn.forward(posProj.forward(lastHidden));    // (B, 1+G*G, C)
            return postLn.forward(h.add(posEmbed));                    // (B, 1+G*G, C)
        }

        /**
         * The (C, h, h) table added to a multi-scale map of side {@code h}: {@code get_abs_pos(pos_embed[1:], h*h)}
         * ({@link MmiPosEmbed#absPos}, torch bicubic from G x G), laid out channels first. Cached per size on the
         * weights' manager.
         */
        public NDArray featurePositionEmbedding(long h) {
            NDArray cached = featurePos.get(h);
            if (cached != null) {
                return cached;
            }
            NDManager owner = posEmbed.getManager();
            NDArray table;
            try (NDManager tmp = owner.newSubManager()) {
                NDArray g = posEmbed.get("1:");                                 // (G*G, C)
                g.attach(tmp);
                table = MmiPosEmbed.absPos(g, Math.toIntExact(h))               // (h*h, C)
                        .transpose().reshape(width, h, h);                      // (C, h, h)
                table.attach(owner);
            }
            featurePos.put(h, table);
            return table;
        }
    }
}
