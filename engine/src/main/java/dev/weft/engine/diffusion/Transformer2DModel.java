package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.nn.Conv2d;
import dev.weft.engine.nn.GroupNorm;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.WeightPath;

/**
 * diffusers {@code Transformer2DModel} (continuous input, one layer): GroupNorm (eps 1e-6), {@code proj_in},
 * one {@link BasicTransformerBlock} over the H*W positions, {@code proj_out}, plus the input as residual.
 * SD 2.x ({@code useLinearProjection}) projects with Linear layers after flattening; SD 1.x with 1x1 convs before.
 *
 * <p>Dimensions: B batch, C channels (= heads x head width), H, W feature-map size, S context tokens,
 * Dc context width.
 *
 * <p>Parameters: {@code norm, proj_in, transformer_blocks.0.*, proj_out}. Mirrors diffusers 0.20
 * {@code models/transformer_2d.py}.
 */
public final class Transformer2DModel {
    private final GroupNorm norm;
    private final Linear projInLinear;
    private final Linear projOutLinear;
    private final Conv2d projInConv;
    private final Conv2d projOutConv;
    private final BasicTransformerBlock block;
    private final int channels;

    /**
     * @param p prefix (e.g. {@code down_blocks.0.attentions.1})
     * @param channels C
     * @param heads number of heads (diffusers' {@code attention_head_dim} entry for SD 2.x); head width C / heads
     * @param crossDim Dc
     * @param groups GroupNorm groups
     * @param linearProjection Linear (SD 2.x) or 1x1 conv (SD 1.x) projections
     */
    public Transformer2DModel(WeightPath p, int channels, int heads, int crossDim, int groups,
                              boolean linearProjection) {
        if (channels % heads != 0) {
            throw new IllegalArgumentException(p + ": channels " + channels + " not divisible by heads " + heads);
        }
        this.channels = channels;
        this.norm = new GroupNorm(p.pp("norm"), groups, channels, 1e-6f);
        if (linearProjection) {
            this.projInLinear = new Linear(p.pp("proj_in"), channels, channels, true);
            this.projInConv = null;
        } else {
            this.projInConv = new Conv2d(p.pp("proj_in"), channels, channels, 1, 1, 0, true);
            this.projInLinear = null;
        }
        this.block = new BasicTransformerBlock(p.pp("transformer_blocks").pp(0), channels, heads,
                channels / heads, crossDim);
        if (linearProjection) {
            this.projOutLinear = new Linear(p.pp("proj_out"), channels, channels, true);
            this.projOutConv = null;
        } else {
            this.projOutConv = new Conv2d(p.pp("proj_out"), channels, channels, 1, 1, 0, true);
            this.projOutLinear = null;
        }
    }

    public BasicTransformerBlock block() {
        return block;
    }

    /**
     * @param x (B, C, H, W)
     * @param context (B, S, Dc)
     * @return (B, C, H, W)
     */
    public NDArray forward(NDArray x, NDArray context) {
        long b = x.getShape().get(0);
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        if (x.getShape().dimension() != 4 || x.getShape().get(1) != channels) {
            throw new IllegalArgumentException("hidden_states: expected (B, " + channels + ", H, W), found "
                    + x.getShape());
        }
        // 1. norm, proj_in, flatten the positions
        NDArray y = norm.forward(x);
        if (projInLinear != null) {
            y = y.transpose(0, 2, 3, 1).reshape(b, h * w, channels);        // (B, HW, C)
            y = projInLinear.forward(y);                                     // (B, HW, C)
        } else {
            y = projInConv.forward(y).transpose(0, 2, 3, 1).reshape(b, h * w, channels); // (B, HW, C)
        }
        // 2. transformer block
        y = block.forward(y, context);                                       // (B, HW, C)
        // 3. proj_out, back to a map, residual
        if (projOutLinear != null) {
            y = projOutLinear.forward(y).reshape(b, h, w, channels).transpose(0, 3, 1, 2); // (B, C, H, W)
        } else {
            y = projOutConv.forward(y.reshape(b, h, w, channels).transpose(0, 3, 1, 2));   // (B, C, H, W)
        }
        return y.add(x);
    }
}
