package dev.weft.engine.qformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.nn.Resize;

/**
 * MM-Interleaved's sin-cos position tables and their resizing ({@code models/utils/pos_embed.py}: {@code
 * get_1d_sincos_pos_embed_from_grid}, {@code get_2d_sincos_pos_embed}, {@code get_abs_pos}), the one place for them
 * (the visual tokenizer, MMFS blocks and context resampler use these). Tables are evaluated in float32 as MMI does
 * (numpy float32): {@code omega_j = 1 / 10000^(j / (dim/2))} in float32, the angle {@code p * omega_j} rounded
 * to float32, then {@code [sin | cos]}. At the context positions the image decoder uses (up to 2047) a float64
 * evaluation ({@link dev.weft.engine.nn.Ops#sinCos1d}) differs from this by up to ~3e-4 at width 5120.
 *
 * <p>{@code 10000^e} is the correctly rounded float32 power (glibc's powf). MMI's own numpy evaluation is not
 * exactly reproducible: on AVX-512 machines numpy's float32 power (SVML) is 1 ulp off for ~20% of the
 * frequencies, which moves table entries near position 2047 by up to ~2e-4 depending on the machine the
 * reference ran on. {@code weft_ref/ops.py::sincos_1d_f32} computes the same values as this class.
 *
 * <p>The 2-D table differs from MAE's (and {@link dev.weft.engine.nn.Ops#sinCos2d}): MMI puts the ROW encoding in
 * the first half of the channels and the column in the second half.
 *
 * <p>Dimensions: P positions, D channels, G grid side.
 */
public final class MmiPosEmbed {
    private MmiPosEmbed() { }

    /** (P * D) row-major: {@code get_1d_sincos_pos_embed_from_grid(dim, positions)} in float32. */
    public static float[] sinCos1d(int dim, float[] positions) {
        if (dim % 2 != 0) {
            throw new IllegalArgumentException("sin-cos width must be even, found " + dim);
        }
        int half = dim / 2;
        float[] omega = new float[half];
        for (int j = 0; j < half; j++) {
            float e = (float) j / (float) half;                 // float32 arange / (dim / 2.)
            float pw = (float) Math.pow(10000.0, e);            // float32 10000 ** omega
            omega[j] = 1f / pw;                                 // float32 1. / x
        }
        float[] out = new float[positions.length * dim];
        for (int i = 0; i < positions.length; i++) {
            int row = i * dim;
            for (int j = 0; j < half; j++) {
                float a = positions[i] * omega[j];              // float32 outer product
                out[row + j] = (float) Math.sin(a);
                out[row + half + j] = (float) Math.cos(a);
            }
        }
        return out;
    }

    /** (count, dim) table for positions 0..count-1, on {@code manager}. */
    public static NDArray sinCos1d(NDManager manager, int dim, int count) {
        float[] pos = new float[count];
        for (int i = 0; i < count; i++) {
            pos[i] = i;
        }
        return manager.create(sinCos1d(dim, pos), new Shape(count, dim));
    }

    /**
     * {@code get_2d_sincos_pos_embed(dim, grid, cls_token)}: (G*G [+1], dim), row-major over the grid, first half
     * of the channels from the row index, second half from the column index, a zero row first with cls.
     */
    public static NDArray sinCos2d(NDManager manager, int dim, int grid, boolean cls) {
        float[] rows = new float[grid * grid];
        float[] cols = new float[grid * grid];
        for (int i = 0; i < grid; i++) {
            for (int j = 0; j < grid; j++) {
                rows[i * grid + j] = i;
                cols[i * grid + j] = j;
            }
        }
        float[] a = sinCos1d(dim / 2, rows);
        float[] b = sinCos1d(dim / 2, cols);
        int off = cls ? 1 : 0;
        float[] flat = new float[(grid * grid + off) * dim];
        for (int i = 0; i < grid * grid; i++) {
            System.arraycopy(a, i * (dim / 2), flat, (i + off) * dim, dim / 2);
            System.arraycopy(b, i * (dim / 2), flat, (i + off) * dim + dim / 2, dim / 2);
        }
        return manager.create(flat, new Shape(grid * grid + off, dim));
    }

    /**
     * {@code get_abs_pos(table, side * side)} for a table without a cls row: the table itself when {@code side} is
     * its grid, else {@code F.interpolate(table as (1, D, G, G), size=(side, side), mode="bicubic",
     * align_corners=False)} back as (side*side, D) ({@link Resize#bicubic}).
     *
     * @param table (G*G, D), row-major over a G x G grid
     * @return (side*side, D)
     */
    public static NDArray absPos(NDArray table, int side) {
        Shape s = table.getShape();
        int grid = (int) Math.round(Math.sqrt((double) s.get(0)));
        if (s.dimension() != 2 || (long) grid * grid != s.get(0)) {
            throw new IllegalArgumentException("pos_embed: expected (G*G, D), found " + s);
        }
        if (side == grid) {
            return table;
        }
        long d = s.get(1);
        NDArray map = table.transpose().reshape(1, d, grid, grid);                 // (1, D, G, G)
        return Resize.bicubic(map, side, side)                                       // (1, D, side, side)
                .reshape(d, (long) side * side).transpose();                         // (side*side, D)
    }
}
