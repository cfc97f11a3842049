package dev.weft.engine.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.config.LlmConfig;
import dev.weft.engine.config.TokenConfig;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.mmfs.Handles;
import dev.weft.engine.nn.Init;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.RmsNorm;
import dev.weft.engine.nn.Scoped;
import dev.weft.engine.nn.WeightPath;

import java.util.Arrays;

/**
 * The LLM of MM-Interleaved, {@code mm_decoder}: Vicuna (LLaMA) with MMFS blocks in every {@code mmfsEvery}-th
 * layer ({@code modeling_llama_mmfs.py} {@code LlamaModel}; inputs as {@code mm_interleaved.py}).
 *
 * <p>Dimensions: B batch, T new tokens, S cached + new tokens, D width, V vocabulary, N image slots,
 * I images, K visual tokens per image, Dv vision width.
 *
 * <p>Behaviour of the reference this follows:
 * <ul>
 *   <li>self-attention is plain causal over the whole (packed) sequence; documents are separated only in the
 *       MMFS cross mask ({@link CrossMask}, nearest {@code <s>});</li>
 *   <li>position ids default to global positions {@code past .. past+T-1} (the reference's arange in training
 *       and {@code cumsum(attention_mask) - 1} in generation), not per document;</li>
 *   <li>RoPE: HF rotate_half, theta from the config;</li>
 *   <li>the hidden states returned are after the final {@code norm} (the text head and the image decoder's
 *       context both read these);</li>
 *   <li>with a {@link KvCache}, MMFS runs on the new tokens only; their cross-mask rows are either given
 *       ((B, T, N)) or, like the reference's generation, taken from the last row of a longer prompt mask.</li>
 * </ul>
 *
 * <p>Parameters (prefix {@code mm_decoder}): {@code embed_tokens} (V, D), {@code layers.{i}.*}
 * ({@link DecoderLayer}), {@code norm} (D).
 */
public final class MmDecoder {
    public final NDArray embedTokens; // (V, D)
    public final DecoderLayer[] layers;
    public final RmsNorm norm;
    private final LlmConfig cfg;
    private final int[] spatialShapes;
    private final Rope rope;

    /**
     * @param p prefix {@code mm_decoder}
     * @param cfg the LLM
     * @param vision the vision encoder: its width is MMFS's d_value, its last {@code cfg.mmfs().numLevels()}
     *               feature maps are the MMFS levels ([32, 16, 8] for the published model), and its patch grid
     *               (16) is MMFS's {@code base_spatial_shape} (the reference's default 16)
     */
    public MmDecoder(WeightPath p, LlmConfig cfg, VisionConfig vision) {
        this.cfg = cfg;
        int[] sizes = vision.featureSizes();
        int levels = cfg.mmfs().numLevels();
        if (levels > sizes.length) {
            throw new IllegalArgumentException("llm.mmfs.num_levels: at most " + sizes.length + ", found " + levels);
        }
        this.spatialShapes = Arrays.copyOfRange(sizes, sizes.length - levels, sizes.length);
        this.embedTokens = p.get("embed_tokens.weight", Init.normal(0.02f), cfg.vocabSize(), cfg.hiddenSize());
        this.layers = new DecoderLayer[cfg.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            layers[i] = new DecoderLayer(p.pp("layers").pp(i), cfg, i, vision.hiddenSize(), spatialShapes,
                    vision.grid());
        }
        this.norm = new RmsNorm(p.pp("norm"), cfg.hiddenSize(), (float) cfg.rmsNormEps());
        this.rope = new Rope(cfg.headDim(), cfg.ropeTheta());
    }

    /** Sides of the MMFS levels (the maps {@link VisionFeatures#pack(java.util.List, int[], int[])} keeps). */
    public int[] spatialShapes() {
        return spatialShapes.clone();
    }

    public LlmConfig config() {
        return cfg;
    }

    /** A cache for incremental decoding with this model; close it when done. */
    public KvCache newCache(NDManager manager) {
        return new KvCache(manager, layers.length, cfg.maxPositions());
    }

    /**
     * Token embeddings.
     *
     * @param ids (B, T) int64
     * @return (B, T, D), on the ids' manager
     */
    public NDArray embed(NDArray ids) {
        NDArray rows = embedTokens.get(ids.flatten());                            // (B*T, D)
        rows.attach(ids.getManager());
        Shape s = ids.getShape();
        return rows.reshape(s.get(0), s.get(1), cfg.hiddenSize());                // (B, T, D)
    }

    /**
     * The LLM input of {@code mm_interleaved.py _prepare_mm_embeds}: token embeddings whose {@code <|image|>} rows
     * are replaced, in row-major order, by the images' visual tokens, and whose {@code <|beginofimage|>} rows get
     * {@code soi_token} added.
     *
     * @param ids (B, T) int64
     * @param imageEmbeds (I, K, D), I * K equal to the number of {@code <|image|>} tokens; null when there are none
     * @param soiToken (1, D) (checkpoint name {@code soi_token}); null adds nothing
     * @return (B, T, D)
     */
    public NDArray embedMultimodal(NDArray ids, NDArray imageEmbeds, NDArray soiToken, TokenConfig tokens) {
        Shape s = ids.getShape();
        long b = s.get(0);
        long t = s.get(1);
        long d = cfg.hiddenSize();
        long[] flat = ids.toLongArray();
        NDManager m = ids.getManager();
        // 1. text embeddings
        NDArray text = embed(ids).reshape(b * t, d);                              // (B*T, D)
        // 2. <|image|> rows taken from the visual tokens: a gather over [text rows; image rows]
        long imageRows = imageEmbeds == null ? 0 : imageEmbeds.getShape().get(0) * imageEmbeds.getShape().get(1);
        long[] index = new long[flat.length];
        float[] soi = new float[flat.length];
        long next = 0;
        for (int i = 0; i < flat.length; i++) {
            index[i] = i;
            if (flat[i] == tokens.image()) {
                index[i] = b * t + next++;
            } else if (flat[i] == tokens.boi()) {
                soi[i] = 1f;
            }
        }
        if (next != imageRows) {
            throw new IllegalArgumentException("imageEmbeds: expected " + next + " visual tokens (one per <|image|>), "
                    + "found " + (imageEmbeds == null ? "none" : imageEmbeds.getShape().toString()));
        }
        NDArray out = text;
        if (imageRows > 0) {
            if (imageEmbeds.getShape().dimension() != 3 || imageEmbeds.getShape().get(2) != d) {
                throw new IllegalArgumentException("imageEmbeds: expected (I, K, " + d + "), found "
                        + imageEmbeds.getShape());
            }
            NDArray img = Handles.rebind(imageEmbeds, m).reshape(imageRows, d);  // (I*K, D)
            NDArray all = text.concat(img, 0);                                    // (B*T + I*K, D)
            out = all.get(m.create(index));                                       // (B*T, D)
        }
        // 3. + soi_token on <|beginofimage|>
        if (soiToken != null) {
            NDArray token = Handles.rebind(soiToken, m).reshape(1, d);           // (1, D)
            out = out.add(Ops.like(m.create(soi, new Shape(b * t, 1)), token).mul(token)); // (B*T, D)
        }
        return out.reshape(b, t, d);                                              // (B, T, D)
    }

    /**
     * Runs the decoder on new tokens.
     *
     * @param inputEmbeds (B, T, D), e.g. from {@link #embedMultimodal}
     * @param positionIds (B, T) int64, or null for {@code past .. past+T-1}
     * @param cache key/value cache (appended to), or null for a stateless forward
     * @param feats vision features (B, N, Sv, Dv), or null to skip MMFS (text only; the reference skips it when no
     *              vision states are given and cannot run MMFS over zero images)
     * @param crossMask (B, T, N) 1 = image visible ({@link CrossMask}), or (B, Q, N) with Q != T whose last row applies
     *                  to every new token; required with features
     * @return hidden states after the final norm, (B, T, D)
     */
    public NDArray forward(NDArray inputEmbeds, NDArray positionIds, KvCache cache, VisionFeatures feats,
                           NDArray crossMask) {
        Shape s = inputEmbeds.getShape();
        if (s.dimension() != 3 || s.get(2) != cfg.hiddenSize()) {
            throw new IllegalArgumentException("inputEmbeds: expected (B, T, " + cfg.hiddenSize() + "), found " + s);
        }
        long b = s.get(0);
        long t = s.get(1);
        long past = cache == null ? 0 : cache.length();
        NDManager m = inputEmbeds.getManager();
        if (feats != null && feats.numImages() == 0) {
            feats = null;
        }
        if (feats != null) {
            if (crossMask == null) {
                throw new IllegalArgumentException("crossMask: required with vision features");
            }
            if (feats.features().getShape().get(0) != b) {
                throw new IllegalArgumentException("feats: expected batch " + b + ", found "
                        + feats.features().getShape());
            }
        }
        // 1. positions and RoPE tables
        if (positionIds == null) {
            long[] pos = new long[(int) (b * t)];
            for (int i = 0; i < pos.length; i++) {
                pos[i] = past + i % t;
            }
            positionIds = m.create(pos, new Shape(b, t));
        } else if (!positionIds.getShape().equals(new Shape(b, t))) {
            throw new IllegalArgumentException("positionIds: expected (" + b + ", " + t + "), found "
                    + positionIds.getShape());
        }
        NDArray[] cs = rope.cosSin(Handles.rebind(positionIds, m));               // (B, 1, T, Dh) each
        // 2. causal mask over cached + new keys (none for one token, as the reference)
        NDArray mask = t > 1 ? causalMask(m, t, past) : null;                     // (1, 1, T, S)
        // 3. layers, then the final norm
        //    each layer in its own scope, so one layer's intermediates (scores over T x S, the MLP's I-wide
        //    activations) are freed before the next starts; the cache's buffers leave the scope (KvCache)
        NDArray h = inputEmbeds;
        VisionFeatures f = feats;
        for (DecoderLayer layer : layers) {
            h = Scoped.chain(h, inputEmbeds,
                    in -> layer.forward(in, cs[0], cs[1], mask, f, crossMask, cache)); // (B, T, D)
        }
        return Scoped.chain(h, inputEmbeds, norm::forward);                        // (B, T, D)
    }

    /** 0 where key j <= past + i, the fp32 minimum elsewhere: (1, 1, T, past + T). */
    static NDArray causalMask(NDManager m, long t, long past) {
        long sLen = past + t;
        float[] v = new float[(int) (t * sLen)];
        for (int i = 0; i < t; i++) {
            for (long j = past + i + 1; j < sLen; j++) {
                v[(int) (i * sLen + j)] = -Float.MAX_VALUE;
            }
        }
        return m.create(v, new Shape(1, 1, t, sLen));
    }

    /** Convenience: token ids as an int64 (B, T) array on a manager. */
    public static NDArray ids(NDManager m, long[][] rows) {
        int b = rows.length;
        int t = rows[0].length;
        long[] flat = new long[b * t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(rows[i], 0, flat, i * t, t);
        }
        return m.create(flat, new Shape(b, t)).toType(DataType.INT64, false);
    }
}
