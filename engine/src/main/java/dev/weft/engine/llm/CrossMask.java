package dev.weft.engine.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.config.TokenConfig;
import dev.weft.engine.mmfs.Mmfs;

/**
 * The "previous images only" cross mask of the LLM's MMFS blocks (notes 1.3; {@code mm_interleaved.py}
 * {@code _prepare_mmfs_features_for_mm_decoder}), built from token ids.
 *
 * <p>Dimensions: B batch, T tokens, N image slots. Image n of row b is that row's n-th {@code <|beginofimage|>};
 * its position p is that token's position + 1 (its first {@code <|image|>}). {@code mask[b, l, n] = 1} iff
 * {@code nearestBos(l) < p <= l}, where {@code nearestBos(l)} is the position of the last {@code <s>} at or before
 * l (-1 if none): a token sees the images of its own document that start at or before it; the
 * {@code <|beginofimage|>} token does not see its own image, the image's placeholder tokens do, {@code <s>}
 * sees nothing. Self-attention is not masked per document (the reference's is plain causal).
 *
 * @param mask (B, T, N) float, 1 = visible
 * @param imagePositions per row, the first-{@code <|image|>} position of each of its images
 */
public record CrossMask(NDArray mask, long[][] imagePositions) {

    /** Images per row (the counts {@link VisionFeatures#pack} needs). */
    public int[] imagesPerRow() {
        int[] r = new int[imagePositions.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = imagePositions[i].length;
        }
        return r;
    }

    /** Number of image slots N (the most images of any row). */
    public int numSlots() {
        int n = 0;
        for (long[] p : imagePositions) {
            n = Math.max(n, p.length);
        }
        return n;
    }

    /** The MMFS {@code query_relpos} indices: 1 for the most recent visible image, 2 the one before, 0 hidden. */
    public NDArray relativePositions() {
        return Mmfs.relativePositions(mask); // (B, T, N) int64
    }

    /** Builds the mask for token ids (B, T) (int64). */
    public static CrossMask build(NDArray ids, TokenConfig tokens) {
        Shape s = ids.getShape();
        if (s.dimension() != 2) {
            throw new IllegalArgumentException("ids: expected (B, T), found " + s);
        }
        int b = (int) s.get(0);
        int t = (int) s.get(1);
        long[] flat = ids.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
        long[][] rows = new long[b][t];
        for (int i = 0; i < b; i++) {
            System.arraycopy(flat, i * t, rows[i], 0, t);
        }
        return build(ids.getManager(), rows, tokens);
    }

    /** Builds the mask for token ids given as rows of equal length. */
    public static CrossMask build(NDManager manager, long[][] ids, TokenConfig tokens) {
        int b = ids.length;
        int t = b == 0 ? 0 : ids[0].length;
        long[][] positions = new long[b][];
        int n = 0;
        for (int r = 0; r < b; r++) {
            if (ids[r].length != t) {
                throw new IllegalArgumentException("ids: rows of equal length expected, row " + r + " has "
                        + ids[r].length + " tokens, row 0 has " + t);
            }
            int count = 0;
            for (long id : ids[r]) {
                if (id == tokens.boi()) {
                    count++;
                }
            }
            positions[r] = new long[count];
            int k = 0;
            for (int l = 0; l < t; l++) {
                if (ids[r][l] == tokens.boi()) {
                    positions[r][k++] = l + 1;
                }
            }
            n = Math.max(n, count);
        }
        float[] m = new float[b * t * n];
        for (int r = 0; r < b; r++) {
            long nearestBos = -1;
            for (int l = 0; l < t; l++) {
                if (ids[r][l] == tokens.bos()) {
                    nearestBos = l;
                }
                for (int j = 0; j < positions[r].length; j++) {
                    long p = positions[r][j];
                    if (p > nearestBos && p <= l) {
                        m[(r * t + l) * n + j] = 1f;
                    }
                }
            }
        }
        return new CrossMask(manager.create(m, new Shape(b, t, n)), positions);
    }
}
