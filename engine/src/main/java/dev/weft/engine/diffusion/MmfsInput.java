package dev.weft.engine.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * What MMFSNet sees of earlier images: the multi-scale features c1..cL of the image slot(s) and a mask.
 *
 * <p>Dimensions: B batch, N image slots (1 for MM-Interleaved's image decoder: the immediately preceding image of
 * the same document), Cv feature channels (1024), h_l, w_l level sizes (64, 32, 16, 8).
 *
 * <p>The first image of a document has no preceding image: it still runs MMFSNet, on an empty slot (zero
 * features, mask 0; {@link #empty}), exactly as {@code mm_interleaved.py::_prepare_mmfs_features_for_image_decoder}
 * builds it. A hidden slot is not a no-op: MMFS then attends only to its null token, and the blocks still add
 * their (learned) residuals.
 *
 * @param features L tensors, each (B, Cv, h_l, w_l) (one slot) or (B, N, Cv, h_l, w_l)
 * @param mask (B, N), 1 = visible, 0 = hidden (any numeric type)
 */
public record MmfsInput(List<NDArray> features, NDArray mask) {
    public MmfsInput {
        if (features == null || features.isEmpty()) {
            throw new IllegalArgumentException("features: expected at least one level, found none");
        }
        if (mask == null || mask.getShape().dimension() != 2) {
            throw new IllegalArgumentException("mask: expected (B, N), found " + (mask == null ? "null" : mask.getShape()));
        }
        long b = mask.getShape().get(0);
        long n = mask.getShape().get(1);
        long cv = -1;
        for (int l = 0; l < features.size(); l++) {
            Shape s = features.get(l).getShape();
            boolean ok = (s.dimension() == 4 && n == 1 && s.get(0) == b)
                    || (s.dimension() == 5 && s.get(0) == b && s.get(1) == n);
            long c = s.dimension() == 4 ? s.get(1) : s.dimension() == 5 ? s.get(2) : -1;
            if (!ok || (cv >= 0 && c != cv)) {
                throw new IllegalArgumentException("features[" + l + "]: expected (" + b + ", Cv, h, w)"
                        + " or (" + b + ", " + n + ", Cv, h, w) with one Cv for all levels, found " + s);
            }
            cv = c;
        }
        features = List.copyOf(features);
    }

    /** An empty, hidden slot (zeros, mask 0): the condition of a document's first image; fp32 features. */
    public static MmfsInput empty(NDManager manager, int batch, int channels, int[] featureSizes) {
        return empty(manager, batch, channels, featureSizes, DataType.FLOAT32);
    }

    /** As {@link #empty(NDManager, int, int, int[])} with features of {@code dataType} (the compute type). */
    public static MmfsInput empty(NDManager manager, int batch, int channels, int[] featureSizes, DataType dataType) {
        List<NDArray> f = new ArrayList<>();
        for (int s : featureSizes) {
            f.add(manager.zeros(new Shape(batch, channels, s, s), dataType));
        }
        return new MmfsInput(f, manager.zeros(new Shape(batch, 1), DataType.FLOAT32));
    }

    public long batch() {
        return mask.getShape().get(0);
    }

    public long slots() {
        return mask.getShape().get(1);
    }

    /** Level l as (B, N, Cv, h, w). */
    public NDArray level5d(int l) {
        NDArray f = features.get(l);
        Shape s = f.getShape();
        return s.dimension() == 5 ? f : f.reshape(s.get(0), 1, s.get(1), s.get(2), s.get(3)); // (B, 1, Cv, h, w)
    }

    /**
     * The batch repeated {@code times} times (torch {@code cat([x] * times)}): classifier-free guidance runs the
     * unconditional and the conditional branch as one batch, with the same MMFS features in both
     * ({@code sd_pipeline_monkey_patch.py}).
     */
    public MmfsInput repeatBatch(int times) {
        List<NDArray> f = new ArrayList<>();
        for (NDArray x : features) {
            f.add(repeat(x, times));
        }
        return new MmfsInput(f, repeat(mask, times));
    }

    private static NDArray repeat(NDArray x, int times) {
        NDList parts = new NDList();
        for (int i = 0; i < times; i++) {
            parts.add(x);
        }
        return NDArrays.concat(parts, 0);                                         // (times*B, ...)
    }
}
