package dev.weft.engine.weights;

import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * Where one stored tensor's raw bytes lie, for reading them without converting or copying: a view (element offset,
 * shape, strides) of a storage of little-endian {@code dtype} elements that starts at byte {@code storageStart} of an
 * open file. Safetensors tensors are contiguous views at offset 0; torch.save tensors may be any view of their
 * storage. Read with {@link TensorScan}, which maps the bytes in windows, so neither the file nor the tensor need fit
 * in one mapping (2 GiB) or on the heap.
 *
 * @param label the file, for messages
 * @param channel the open file (owned by the reader that made this; closed with it)
 * @param storageStart byte position of the storage's element 0
 * @param offset the view's first element, in elements from the storage's start
 * @param stride strides in elements, never negative
 */
public record RawTensor(String label, FileChannel channel, long storageStart, DType dtype, long offset, long[] shape,
                        long[] stride) {

    /** A contiguous tensor of {@code shape} starting at byte {@code start} (safetensors' layout). */
    public static RawTensor contiguous(String label, FileChannel channel, long start, DType dtype, long[] shape) {
        long[] stride = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            stride[i] = s;
            s = Math.multiplyExact(s, shape[i]);
        }
        return new RawTensor(label, channel, start, dtype, 0, shape.clone(), stride);
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

    @Override
    public String toString() {
        return "RawTensor[" + label + " @" + storageStart + " " + dtype.tag() + " offset " + offset + " shape "
                + Arrays.toString(shape) + " stride " + Arrays.toString(stride) + "]";
    }
}
