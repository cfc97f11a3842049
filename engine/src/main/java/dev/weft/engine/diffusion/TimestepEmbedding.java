package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.WeightPath;

/**
 * diffusers {@code Timesteps} (no parameters: sinusoidal projection, {@code flip_sin_to_cos=True},
 * {@code downscale_freq_shift=0}) followed by {@code TimestepEmbedding} ({@code linear_1} -> SiLU ->
 * {@code linear_2}).
 *
 * <p>Dimensions: B batch, C0 the projection width (first UNet block width, 320 for SD), E the embedding width
 * (4 C0 = 1280).
 *
 * <p>Mirrors diffusers 0.20 {@code models/embeddings.py} ({@code get_timestep_embedding}, {@code Timesteps},
 * {@code TimestepEmbedding}); the projection runs in fp32 in diffusers' operation order so it matches bit for
 * bit.
 */
public final class TimestepEmbedding {
    private final Linear linear1;
    private final Linear linear2;
    private final int projDim;

    /**
     * @param p the {@code time_embedding} prefix
     * @param projDim sinusoid width C0
     * @param embedDim E
     */
    public TimestepEmbedding(WeightPath p, int projDim, int embedDim) {
        this.projDim = projDim;
        this.linear1 = new Linear(p.pp("linear_1"), projDim, embedDim, true);
        this.linear2 = new Linear(p.pp("linear_2"), embedDim, embedDim, true);
    }

    /**
     * The sinusoidal timestep projection ({@code time_proj}): {@code [cos(t f), sin(t f)]} with
     * {@code f_i = exp(-ln(10000) i / (dim/2))}.
     *
     * @param timesteps (B) any numeric type
     * @return (B, dim) fp32
     */
    public static NDArray sinusoid(NDArray timesteps, int dim) {
        if (timesteps.getShape().dimension() != 1) {
            throw new IllegalArgumentException("timesteps: expected (B), found " + timesteps.getShape());
        }
        int half = dim / 2;
        // 1. frequencies, fp32 in diffusers' order: (-ln(max_period) * i) / half, then exp
        NDArray freqs = timesteps.getManager().arange(0f, (float) half, 1f, DataType.FLOAT32)
                .mul((float) -Math.log(10000.0)).div((float) half).exp();       // (half)
        // 2. angles and [cos, sin] (flip_sin_to_cos)
        NDArray args = timesteps.toType(DataType.FLOAT32, false).expandDims(1)
                .mul(freqs.expandDims(0));                                      // (B, half)
        NDArray emb = args.cos().concat(args.sin(), 1);                         // (B, 2 half)
        if (dim % 2 == 1) {
            emb = emb.concat(emb.getManager().zeros(new ai.djl.ndarray.types.Shape(emb.getShape().get(0), 1)), 1);
        }
        return emb;
    }

    /**
     * @param timesteps (B)
     * @return (B, E)
     */
    public NDArray forward(NDArray timesteps) {
        // 1. time_proj
        NDArray t = sinusoid(timesteps, projDim);   // (B, C0)
        // 2. time_embedding
        return linear2.forward(Ops.silu(linear1.forward(t)));
    }

    /** The MLP alone, on an already projected (B, C0). */
    public NDArray embed(NDArray projected) {
        return linear2.forward(Ops.silu(linear1.forward(projected)));
    }
}
