package dev.weft.engine.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.nn.Conv2d;
import dev.weft.engine.nn.LayerNorm;
import dev.weft.engine.nn.WeightPath;

import java.util.List;

/**
 * The adapter's spatial-prior CNN ({@code SpatialPriorModule} in {@code MMI: adapter_modules.py}): a
 * ResNet-like stem (three 3x3 convs, the first with stride 2, then a 3x3/2 max-pool) and three more stride-2
 * convs, each conv followed by a channels-first LayerNorm (eps 1e-6) and ReLU; 1x1 convs {@code fc1..fc4} lift
 * the four stages to the ViT width. The released code has no BatchNorm here: the norms are the adapter's own
 * channels-first {@code LayerNorm} (weight and bias only, no running statistics).
 *
 * <p>Dimensions: B batch, S2 input side (G * 16), I = conv_inplane, C width, h = S2 / 4 (c1),
 * S2 / 8 (c2), S2 / 16 (c3), S2 / 32 (c4).
 *
 * <p>Parameters: {@code stem.{0,3,6}.weight} (convs, no bias), {@code stem.{1,4,7}.{weight,bias}} (norms),
 * {@code conv{2,3,4}.0.weight}, {@code conv{2,3,4}.1.{weight,bias}}, {@code fc{1..4}.{weight,bias}}
 * (Sequential indexes of the reference; ReLU and max-pool have no parameters).
 */
public final class SpatialPriorModule {
    private final Conv2d[] stem = new Conv2d[3];
    private final LayerNorm[] stemNorm = new LayerNorm[3];
    private final Conv2d[] conv = new Conv2d[3];
    private final LayerNorm[] convNorm = new LayerNorm[3];
    private final Conv2d[] fc = new Conv2d[4];

    public SpatialPriorModule(WeightPath p, VisionConfig cfg) {
        long i = cfg.convInplane();
        long c = cfg.hiddenSize();
        for (int k = 0; k < 3; k++) {
            stem[k] = new Conv2d(p.pp("stem").pp(3 * k), k == 0 ? 3 : i, i, 3, k == 0 ? 2 : 1, 1, false);
            stemNorm[k] = new LayerNorm(p.pp("stem").pp(3 * k + 1), i, 1e-6f);
        }
        long[] in = {i, 2 * i, 4 * i};
        long[] out = {2 * i, 4 * i, 4 * i};
        for (int k = 0; k < 3; k++) {
            WeightPath s = p.pp("conv" + (k + 2));
            conv[k] = new Conv2d(s.pp(0), in[k], out[k], 3, 2, 1, false);
            convNorm[k] = new LayerNorm(s.pp(1), out[k], 1e-6f);
        }
        long[] fin = {i, 2 * i, 4 * i, 4 * i};
        for (int k = 0; k < 4; k++) {
            fc[k] = new Conv2d(p.pp("fc" + (k + 1)), fin[k], c, 1, 1, 0, true);
        }
    }

    /**
     * @param x (B, 3, S2, S2) the CLIP-normalised image resized to S2
     * @return [c1 (B, C, S2/4, S2/4), c2 (B, (S2/8)^2, C), c3 (B, (S2/16)^2, C), c4 (B, (S2/32)^2, C)], the
     *     reference's layout: c1 as a map, c2..c4 as token sequences
     */
    public List<NDArray> forward(NDArray x) {
        if (x.getShape().dimension() != 4 || x.getShape().get(1) != 3) {
            throw new IllegalArgumentException("spatial prior input: expected (B, 3, S2, S2), found " + x.getShape());
        }
        // 1. stem: conv/2, conv, conv (each + norm + ReLU), max-pool 3/2
        NDArray s = x;
        for (int k = 0; k < 3; k++) {
            s = normRelu(stemNorm[k], stem[k].forward(s));
        }
        NDArray s1 = Pool.maxPool2d(s, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false); // (B, I, S2/4, S2/4)
        // 2. three stride-2 stages
        NDArray s2 = normRelu(convNorm[0], conv[0].forward(s1));                  // (B, 2I, S2/8, S2/8)
        NDArray s3 = normRelu(convNorm[1], conv[1].forward(s2));                  // (B, 4I, S2/16, S2/16)
        NDArray s4 = normRelu(convNorm[2], conv[2].forward(s3));                  // (B, 4I, S2/32, S2/32)
        // 3. 1x1 projections to the ViT width; c2..c4 flattened to tokens
        return List.of(fc[0].forward(s1), tokens(fc[1].forward(s2)), tokens(fc[2].forward(s3)),
                tokens(fc[3].forward(s4)));
    }

    /** Channels-first LayerNorm (over dim 1) then ReLU. */
    private static NDArray normRelu(LayerNorm norm, NDArray x) {
        NDArray h = norm.forward(x.transpose(0, 2, 3, 1))                          // (B, H, W, Ch)
                .transpose(0, 3, 1, 2);                                             // (B, Ch, H, W)
        return Activation.relu(h);
    }

    /** (B, C, h, w) to (B, h*w, C). */
    private static NDArray tokens(NDArray m) {
        Shape s = m.getShape();
        return m.reshape(s.get(0), s.get(1), s.get(2) * s.get(3))                  // (B, C, h*w)
                .transpose(0, 2, 1);                                                // (B, h*w, C)
    }
}
