package dev.weft.engine.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The image features the LLM's MMFS blocks sample, per sequence of the batch ({@code mm_interleaved.py}
 * {@code _prepare_mmfs_features_for_mm_decoder}).
 *
 * <p>Dimensions: B batch, N image slots (the most images of any row), Sv = sum of h*w over the levels, Dv vision
 * width, I images in the whole batch. Row b's images sit in slots 0..n_b-1 in order of appearance, later slots
 * are zeros (and masked by the cross mask). Each image's levels are flattened row-major and concatenated in
 * level order (32x32, 16x16, 8x8 for the published model).
 *
 * @param features (B, N, Sv, Dv)
 * @param levelShapes the levels' {h, w}, identical for every image
 */
public record VisionFeatures(NDArray features, long[][] levelShapes) {
    public VisionFeatures {
        Shape s = features.getShape();
        long sum = 0;
        for (long[] hw : levelShapes) {
            sum += hw[0] * hw[1];
        }
        if (s.dimension() != 4 || s.get(2) != sum) {
            throw new IllegalArgumentException("features: expected (B, N, " + sum + ", Dv), found " + s);
        }
    }

    public long numImages() {
        return features.getShape().get(1);
    }

    /**
     * Packs the adapter's multi-scale maps of all images into per-row slots, keeping only the maps whose side is
     * one of {@code sides} (the reference keeps {@code shape in spatial_shapes}), in the order given.
     *
     * @param multiscale maps (I, Dv, h, w), e.g. c1..c4 (64, 32, 16, 8 for the published model)
     * @param imagesPerRow n_b for each row, summing to I (images in order of appearance, row-major)
     * @param sides the LLM's levels, e.g. {32, 16, 8} ({@link MmDecoder#spatialShapes()})
     */
    public static VisionFeatures pack(List<NDArray> multiscale, int[] imagesPerRow, int[] sides) {
        List<NDArray> kept = new ArrayList<>();
        for (NDArray m : multiscale) {
            long side = m.getShape().get(3);
            for (int s : sides) {
                if (s == side) {
                    kept.add(m);
                    break;
                }
            }
        }
        if (kept.size() != sides.length) {
            throw new IllegalArgumentException("multiscale: expected maps of sides " + Arrays.toString(sides)
                    + ", found " + kept.size() + " of them");
        }
        return pack(kept, imagesPerRow);
    }

    /**
     * Packs per-level maps (I, Dv, h, w), all of them used, into (B, N, Sv, Dv).
     */
    public static VisionFeatures pack(List<NDArray> levels, int[] imagesPerRow) {
        NDArray first = levels.get(0);
        long total = first.getShape().get(0);
        long dv = first.getShape().get(1);
        long[][] shapes = new long[levels.size()][];
        NDList flat = new NDList();
        for (int l = 0; l < levels.size(); l++) {
            Shape s = levels.get(l).getShape();
            if (s.dimension() != 4 || s.get(0) != total || s.get(1) != dv) {
                throw new IllegalArgumentException("levels[" + l + "]: expected (" + total + ", " + dv
                        + ", h, w), found " + s);
            }
            shapes[l] = new long[] {s.get(2), s.get(3)};
            flat.add(levels.get(l).reshape(total, dv, s.get(2) * s.get(3)).transpose(0, 2, 1)); // (I, h*w, Dv)
        }
        NDArray all = flat.size() == 1 ? flat.get(0) : NDArrays.concat(flat, 1); // (I, Sv, Dv)
        long sv = all.getShape().get(1);
        int b = imagesPerRow.length;
        int n = 0;
        long sum = 0;
        for (int k : imagesPerRow) {
            n = Math.max(n, k);
            sum += k;
        }
        if (sum != total) {
            throw new IllegalArgumentException("imagesPerRow: expected a sum of " + total + " images, found " + sum);
        }
        // slot (row, j) takes image start_row + j, or the appended zero image when the row has fewer images
        NDManager m = first.getManager();
        NDArray padded = all.concat(m.zeros(new Shape(1, sv, dv), all.getDataType()), 0); // (I+1, Sv, Dv)
        long[] index = new long[b * n];
        long start = 0;
        for (int r = 0; r < b; r++) {
            for (int j = 0; j < n; j++) {
                index[r * n + j] = j < imagesPerRow[r] ? start + j : total;
            }
            start += imagesPerRow[r];
        }
        NDArray packed = padded.get(m.create(index)).reshape(b, n, sv, dv);    // (B, N, Sv, Dv)
        return new VisionFeatures(packed, shapes);
    }
}
