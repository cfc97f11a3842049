package dev.weft.engine.weights.torch;

import dev.weft.engine.weights.DType;
import dev.weft.engine.weights.Strides;

import java.util.Arrays;

/**
 * A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: a view (offset, shape, strides, all in elements)
 * of one storage of the archive. Nothing is read until the values are asked for.
 *
 * @param storage the storage it views
 * @param offset first element, in elements from the storage's start
 * @param shape sizes
 * @param stride strides in elements (torch's, never negative)
 */
public record TorchTensor(Storage storage, long offset, long[] shape, long[] stride) {

    /**
     * A storage: the archive entry {@code <archive>/data/<key>} holding {@code numel} elements of {@code dtype}.
     *
     * @param location where torch had it ({@code cpu}, {@code cuda:0}); ignored, everything is read to the CPU
     */
    public record Storage(String key, DType dtype, long numel, String location, long dataStart) { }

    public DType dtype() {
        return storage.dtype();
    }

    public long numel() {
        return Strides.numel(shape);
    }

    /** Row-major with no gaps (sizes of 1 may carry any stride, as in torch's own check). */
    public boolean isContiguous() {
        return Strides.isContiguous(shape, stride);
    }

    /** The last storage element the view touches (for a non-empty tensor). */
    public long lastIndex() {
        return Strides.lastIndex(offset, shape, stride);
    }

    /** Null when the view fits its storage, else what is wrong. */
    String problem() {
        if (offset < 0) {
            return "negative storage offset " + offset;
        }
        if (shape.length != stride.length) {
            return "shape " + Arrays.toString(shape) + " and stride " + Arrays.toString(stride) + " differ in rank";
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || stride[i] < 0) {
                return "negative size or stride (shape " + Arrays.toString(shape) + ", stride "
                        + Arrays.toString(stride) + ")";
            }
        }
        try {
            if (numel() == 0) {
                return null;
            }
            long last = lastIndex();
            if (last >= storage.numel()) {
                return "view (offset " + offset + ", shape " + Arrays.toString(shape) + ", stride "
                        + Arrays.toString(stride) + ") reaches element " + last + " of a storage of "
                        + storage.numel();
            }
        } catch (ArithmeticException e) {
            return "shape " + Arrays.toString(shape) + " overflows";
        }
        return null;
    }
}
