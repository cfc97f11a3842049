package dev.weft.engine.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.config.QFormerConfig;
import dev.weft.engine.nn.Init;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.WeightPath;
import dev.weft.engine.qformer.MmiPosEmbed;
import dev.weft.engine.qformer.PerceiverResampler;

import java.util.ArrayList;
import java.util.List;

/**
 * The image decoder's condition from the LLM context: MMI {@code mm_interleaved.py::
 * _prepare_context_features_for_image_decoder} followed by {@code decoder_image.py}'s
 * {@code perceiver_resampler} call. For one image to generate:
 * <ol>
 *   <li>the LLM's last hidden states (after the final RMSNorm) from the nearest {@code <s>} up to and including
 *       the image's {@code <|beginofimage|>} token,</li>
 *   <li>reversed, so position 0 is the {@code <|beginofimage|>} token,</li>
 *   <li>{@code context_feat_proj} (Linear D->D), plus a 1-D sin-cos embedding of positions 0..L-1 over D channels
 *       (unscaled integer positions; MMI's table has {@code seq_len} = 2048 = {@code llm.max_positions} rows, so
 *       L may not exceed it; float32 evaluation, see {@link MmiPosEmbed}),</li>
 *   <li>the context Q-Former {@code image_decoder.perceiver_resampler} (77 queries, width 1024 for the published
 *       model), with a padding mask when images of different context lengths are batched.</li>
 * </ol>
 * The result replaces SD's text embedding; {@code image_decoder.neg_prompt_embeds} is the learned negative
 * (unconditional) embedding for classifier-free guidance.
 *
 * <p>Checkpoint parameters requested here (root prefix): {@code context_feat_proj.{weight,bias}},
 * {@code soi_token} (1, D) — not used by this class: it is added to the {@code <|beginofimage|>} token
 * embedding on the LLM input side, which reads it through {@link #soiToken()}; it is requested here and nowhere
 * else — {@code image_decoder.perceiver_resampler.*} and {@code image_decoder.neg_prompt_embeds} (1, Q, H).
 *
 * <p>Dimensions: B sequences, T tokens, D LLM width, N images to generate, L context length (L_max the longest
 * in a batch), Q condition tokens (77), H condition width (1024).
 */
public final class ContextResampler {
    /** One image's context: {@code hidden[row, start .. boi]} (inclusive), {@code start} the nearest {@code <s>}. */
    public record Span(int row, int start, int boi) {
        public int length() {
            return boi - start + 1;
        }
    }

    /** The resampler's input: {@code features} (N, L_max, D) after projection and position embedding, and
     *  {@code mask} (N, L_max) int64, 1 for the real context positions. */
    public record Batch(NDArray features, NDArray mask) { }

    private final int width;
    private final int seqLen;
    private final int bos;
    private final int boi;
    private final Linear contextFeatProj;
    private final NDArray soiToken;        // (1, D)
    private final PerceiverResampler perceiverResampler;
    private final NDArray negPromptEmbeds; // (1, Q, H)
    private NDArray posTable;              // (>= L, D) cached on the weights' manager

    /** @param root the checkpoint's root prefix (names are top-level and {@code image_decoder.*}) */
    public ContextResampler(WeightPath root, ModelConfig cfg) {
        this.width = cfg.llm().hiddenSize();
        this.seqLen = cfg.llm().maxPositions();
        this.bos = cfg.tokens().bos();
        this.boi = cfg.tokens().boi();
        QFormerConfig q = cfg.contextResampler();
        this.contextFeatProj = new Linear(root.pp("context_feat_proj"), width, width, true);
        this.soiToken = root.get("soi_token", Init.zeros(), 1, width);
        WeightPath dec = root.pp("image_decoder");
        this.perceiverResampler = new PerceiverResampler(dec.pp("perceiver_resampler"), q);
        this.negPromptEmbeds = dec.get("neg_prompt_embeds", Init.normal(0.02f), 1, q.numQueries(), q.hiddenSize());
    }

    /** The learned {@code soi_token} (1, D), to be added to the {@code <|beginofimage|>} embedding. */
    public NDArray soiToken() {
        return soiToken;
    }

    /** The learned negative condition {@code image_decoder.neg_prompt_embeds} (1, Q, H). */
    public NDArray negativeEmbeds() {
        return negPromptEmbeds;
    }

    /**
     * One image's condition from one sequence's hidden states.
     *
     * @param hidden (T, D) last hidden states of one sequence (after the final norm)
     * @param start index of the nearest {@code <s>} (0 at inference, as MMI's {@code generate_images})
     * @param boiPos index of the {@code <|beginofimage|>} token of the image to generate
     * @return (1, Q, H)
     */
    public NDArray forward(NDArray hidden, int start, int boiPos) {
        Shape s = hidden.getShape();
        if (s.dimension() != 2 || s.get(1) != width) {
            throw new IllegalArgumentException("hidden: expected (T, " + width + "), found " + s);
        }
        checkSpan(new Span(0, start, boiPos), s.get(0));
        int len = boiPos - start + 1;
        // 1. the context, reversed: position 0 is the <|beginofimage|> token
        NDArray ctx = hidden.get(start + ":" + (boiPos + 1)).flip(0);     // (L, D)
        // 2. projection and 1-D position embedding
        NDArray x = contextFeatProj.forward(ctx).add(positions(len, ctx.getManager())); // (L, D)
        // 3. the context Q-Former
        return perceiverResampler.forward(x.expandDims(0));             // (1, Q, H)
    }

    /**
     * Every image of a batch of sequences: one condition per {@code <|beginofimage|>} token, row-major order.
     *
     * @param hidden (B, T, D)
     * @param textIds (B, T) token ids
     * @return (N, Q, H)
     */
    public NDArray forward(NDArray hidden, NDArray textIds) {
        return resample(prepare(hidden, spans(textIds.toLongArray(), textIds.getShape())));
    }

    /** The resampler applied to a prepared batch: (N, L_max, D) + mask to (N, Q, H). */
    public NDArray resample(Batch batch) {
        return perceiverResampler.forward(batch.features(), batch.mask());
    }

    /**
     * The image spans of a batch of token ids: each {@code <|beginofimage|>} with its nearest preceding
     * {@code <s>} (strictly before it, else 0: {@code calc_nearest_bos_token_idxs}), row-major order.
     */
    public List<Span> spans(long[] ids, Shape shape) {
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("text_ids: expected (B, T), found " + shape);
        }
        int t = (int) shape.get(1);
        List<Span> out = new ArrayList<>();
        for (int r = 0; r < shape.get(0); r++) {
            int lastBos = 0;
            for (int i = 0; i < t; i++) {
                long id = ids[r * t + i];
                if (id == boi) {
                    out.add(new Span(r, lastBos, i));
                }
                if (id == bos) {
                    lastBos = i;      // after the soi test: a <s> counts only for later positions
                }
            }
        }
        return out;
    }

    /**
     * Gathers, reverses, zero-pads, projects and position-embeds the spans, as
     * {@code _prepare_context_features_for_image_decoder} (padded rows become the projection's bias plus the
     * position embedding, and are masked out in the Q-Former).
     *
     * @param hidden (B, T, D)
     */
    public Batch prepare(NDArray hidden, List<Span> spans) {
        Shape s = hidden.getShape();
        if (s.dimension() != 3 || s.get(2) != width) {
            throw new IllegalArgumentException("hidden: expected (B, T, " + width + "), found " + s);
        }
        if (spans.isEmpty()) {
            throw new IllegalArgumentException("text_ids: no <|beginofimage|> token (id " + boi + ")");
        }
        int lMax = 0;
        for (Span sp : spans) {
            if (sp.row() < 0 || sp.row() >= s.get(0)) {
                throw new IllegalArgumentException("span row " + sp.row() + " outside the batch of " + s.get(0));
            }
            checkSpan(sp, s.get(1));
            lMax = Math.max(lMax, sp.length());
        }
        NDManager m = hidden.getManager();
        // 1. per image: reversed context, zero-padded to L_max
        NDList rows = new NDList(spans.size());
        long[] mask = new long[spans.size() * lMax];
        for (int i = 0; i < spans.size(); i++) {
            Span sp = spans.get(i);
            NDArray c = hidden.get(sp.row() + ", " + sp.start() + ":" + (sp.boi() + 1)).flip(0); // (L, D)
            if (sp.length() < lMax) {
                c = c.concat(m.zeros(new Shape(lMax - sp.length(), width), c.getDataType()), 0); // (L_max, D)
            }
            rows.add(c);
            for (int j = 0; j < sp.length(); j++) {
                mask[i * lMax + j] = 1;
            }
        }
        NDArray feats = NDArrays.stack(rows, 0);                                            // (N, L_max, D)
        // 2. projection, then the 1-D position embedding of positions 0..L_max-1
        feats = contextFeatProj.forward(feats).add(positions(lMax, m));                    // (N, L_max, D)
        return new Batch(feats, m.create(mask, new Shape(spans.size(), lMax)));
    }

    private void checkSpan(Span sp, long t) {
        if (sp.start() < 0 || sp.boi() < sp.start() || sp.boi() >= t) {
            throw new IllegalArgumentException("context span [" + sp.start() + ", " + sp.boi()
                    + "]: expected 0 <= start <= boi < T = " + t);
        }
        if (sp.length() > seqLen) {
            throw new IllegalArgumentException("context length " + sp.length() + " exceeds the position table ("
                    + seqLen + " = llm.max_positions)");
        }
    }

    /** Rows 0..len-1 of the 1-D sin-cos table (made in fp32, kept in the compute type), (len, D), attached to m. */
    private NDArray positions(int len, NDManager m) {
        if (posTable == null || posTable.getShape().get(0) < len) {
            int rows = Math.min(seqLen, Math.max(len, Integer.highestOneBit(Math.max(len - 1, 1)) << 1));
            NDManager owner = contextFeatProj.weight.getManager();
            if (posTable != null) {
                posTable.close();
            }
            NDArray table = MmiPosEmbed.sinCos1d(owner, width, rows);                       // (rows, D) fp32
            posTable = Ops.like(table, contextFeatProj.weight);                             // the compute type
            if (posTable != table) {
                table.close();
            }
        }
        NDArray pe = posTable.get("0:" + len);                                                // (L, D)
        pe.attach(m);
        return pe;
    }
}
