package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.nn.Conv2d;
import dev.weft.engine.nn.WeightPath;

/**
 * diffusers 0.20 {@code Downsample2D} with {@code use_conv=True}: a 3x3 convolution of stride 2 named
 * {@code conv}.
 *
 * <p>Dimensions: B batch, C channels, H height, W width.
 *
 * <p>{@code padding=1} is the UNet's variant (out side = ceil(H/2)). {@code padding=0} is the VAE encoder's
 * variant: the input is first zero-padded by one on the right and at the bottom ({@code F.pad(x, (0,1,0,1))}),
 * then convolved without padding (out side = floor(H/2) for even H). Mirrors
 * {@code diffusers/models/resnet.py::Downsample2D} (reference: {@code weft_ref/diffusion_blocks.py}).
 */
public final class Downsample2D {
    public final int channels;
    public final int padding;
    public final Conv2d conv;

    public Downsample2D(WeightPath p, int ch, int padding) {
        if (padding != 0 && padding != 1) {
            throw new IllegalArgumentException("Downsample2D padding: expected 0 or 1, found " + padding);
        }
        this.channels = ch;
        this.padding = padding;
        this.conv = new Conv2d(p.pp("conv"), ch, ch, 3, 2, padding, true);
    }

    /** (B, C, H, W) to (B, C, H', W'). */
    public NDArray forward(NDArray x) {
        if (x.getShape().dimension() != 4 || x.getShape().get(1) != channels) {
            throw new IllegalArgumentException("Downsample2D x: expected (B, " + channels + ", H, W), found "
                    + x.getShape());
        }
        // 1. the VAE's asymmetric pad: one zero column on the right, one zero row at the bottom
        if (padding == 0) {
            Shape s = x.getShape();
            NDArray col = x.getManager().zeros(new Shape(s.get(0), s.get(1), s.get(2), 1), x.getDataType());
            x = x.concat(col, 3);                                              // (B, C, H, W+1)
            NDArray row = x.getManager().zeros(new Shape(s.get(0), s.get(1), 1, s.get(3) + 1), x.getDataType());
            x = x.concat(row, 2);                                              // (B, C, H+1, W+1)
        }
        // 2. strided conv
        return conv.forward(x);                                                // (B, C, H', W')
    }
}
