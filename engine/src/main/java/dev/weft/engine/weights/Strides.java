package dev.weft.engine.weights;

/** Shape and stride arithmetic of a strided view over a flat storage (elements, not bytes), shared by the readers. */
public final class Strides {
    private Strides() { }

    /** The number of elements of a shape (1 for a scalar); throws on overflow. */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Row-major with no gaps (sizes of 1 may carry any stride, as in torch's own check). */
    public static boolean isContiguous(long[] shape, long[] stride) {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** The last storage element a non-empty view touches. */
    public static long lastIndex(long offset, long[] shape, long[] stride) {
        long last = offset;
        for (int i = 0; i < shape.length; i++) {
            last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
        }
        return last;
    }
}
