package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.nn.Conv2d;
import dev.weft.engine.nn.WeightPath;

/**
 * diffusers 0.20 {@code Upsample2D} with {@code use_conv=True}: nearest-neighbour upsampling (x2, or to a given
 * size) followed by a 3x3 convolution named {@code conv}.
 *
 * <p>Dimensions: B batch, C channels, H height, W width.
 *
 * <p>Mirrors {@code diffusers/models/resnet.py::Upsample2D} (reference: {@code weft_ref/diffusion_blocks.py}).
 * The UNet passes an explicit output size when a skip tensor's side is odd ({@code upsample_size}).
 */
public final class Upsample2D {
    public final int channels;
    public final Conv2d conv;

    public Upsample2D(WeightPath p, int ch) {
        this.channels = ch;
        this.conv = new Conv2d(p.pp("conv"), ch, ch, 3, 1, 1, true);
    }

    /** (B, C, H, W) to (B, C, 2H, 2W). */
    public NDArray forward(NDArray x) {
        return forward(x, null);
    }

    /**
     * @param x (B, C, H, W)
     * @param outputSize {H', W'}, or null for {2H, 2W}
     * @return (B, C, H', W')
     */
    public NDArray forward(NDArray x, long[] outputSize) {
        if (x.getShape().dimension() != 4 || x.getShape().get(1) != channels) {
            throw new IllegalArgumentException("Upsample2D x: expected (B, " + channels + ", H, W), found "
                    + x.getShape());
        }
        long[] size = outputSize != null ? outputSize : new long[] {x.getShape().get(2) * 2, x.getShape().get(3) * 2};
        // 1. nearest-neighbour resize (torch "nearest": src = floor(dst * in / out))
        NDArray up = x.getNDArrayInternal().interpolation(size, 0, false);     // (B, C, H', W')
        // 2. conv
        return conv.forward(up);                                               // (B, C, H', W')
    }
}
