package dev.weft.engine.weights;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Streams over a stored tensor's raw values without materialising it: the bytes are memory-mapped in windows of
 * at most {@value #WINDOW} bytes (so a file of any size, and a tensor over 2 GiB, can be read), each window unmapped
 * as soon as it is done with, and the values are visited in the tensor's element order (row-major over its shape,
 * through its strides for a non-contiguous view). The heap holds a few numbers; the page cache holds what the
 * kernel likes.
 *
 * <p>{@link #checksum} sums the values and their absolute values in double with Neumaier's compensated summation
 * (so the result is close to the exact sum whatever the order, and a reference computed with another summation
 * order in float64 agrees to ~1e-15 of {@code abs_sum}), and keeps the first few values.
 */
public final class TensorScan {
    /** The largest mapping: 1 GiB (a multiple of every element size). */
    public static final int WINDOW = 1 << 30;

    private TensorScan() { }

    /**
     * What a scan found.
     *
     * @param count values visited
     * @param sum their sum in double (compensated)
     * @param absSum the sum of their absolute values
     * @param head the first values as float32 (at most the number asked for)
     * @param nonFinite how many were NaN or infinite
     * @param bytes bytes of storage mapped
     */
    public record Checksum(long count, double sum, double absSum, float[] head, long nonFinite, long bytes) { }

    /** Sums every value of {@code t}, keeping the first {@code headCount}. */
    public static Checksum checksum(RawTensor t, int headCount) {
        return checksum(t, headCount, WINDOW);
    }

    /** As {@link #checksum(RawTensor, int)} with another window size (a positive multiple of 8; tests use small ones). */
    static Checksum checksum(RawTensor t, int headCount, int window) {
        if (window <= 0 || window % 8 != 0) {
            throw new IllegalArgumentException("window must be a positive multiple of 8: " + window);
        }
        Acc acc = new Acc(headCount);
        long n = t.numel();
        if (n == 0) {
            return acc.result(0);
        }
        int es = t.dtype().bytes();
        long span = Math.multiplyExact(t.lastIndex() - t.offset() + 1, (long) es);
        long base = Math.addExact(t.storageStart(), Math.multiplyExact(t.offset(), (long) es));
        try (Windows w = new Windows(t, base, span, window)) {
            if (t.isContiguous()) {
                for (int k = 0; k < w.count(); k++) {
                    contiguous(w.at(k), t.dtype(), acc);
                    w.release(k);
                }
            } else {
                strided(t, w, acc);
            }
        }
        if (acc.count != n) {
            throw new IllegalStateException(t + ": visited " + acc.count + " values of " + n);
        }
        return acc.result(span);
    }

    private static void contiguous(ByteBuffer b, DType dt, Acc acc) {
        switch (dt) {
            case F32 -> {
                FloatBuffer f = b.asFloatBuffer();
                int m = f.limit();
                for (int i = 0; i < m; i++) {
                    acc.add(f.get(i));
                }
            }
            case F16 -> {
                int m = b.limit() / 2;
                for (int i = 0; i < m; i++) {
                    acc.add(DType.halfToFloat(b.getShort(i * 2)));
                }
            }
            case BF16 -> {
                int m = b.limit() / 2;
                for (int i = 0; i < m; i++) {
                    acc.add(Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16));
                }
            }
            case I64 -> {
                int m = b.limit() / 8;
                for (int i = 0; i < m; i++) {
                    acc.add((double) b.getLong(i * 8));
                }
            }
            case I32 -> {
                int m = b.limit() / 4;
                for (int i = 0; i < m; i++) {
                    acc.add(b.getInt(i * 4));
                }
            }
        }
    }

    /** Row-major over the view: an odometer over all but the last dimension, a loop along the last. */
    private static void strided(RawTensor t, Windows w, Acc acc) {
        long[] shape = t.shape();
        long[] stride = t.stride();
        int rank = shape.length;
        if (rank == 0) {
            acc.add(w.value(0));
            return;
        }
        long inner = shape[rank - 1];
        long step = stride[rank - 1];
        long[] idx = new long[rank - 1];
        long rowStart = 0;                               // in elements from the view's offset
        while (true) {
            for (long j = 0; j < inner; j++) {
                acc.add(w.value(rowStart + j * step));
            }
            int d = rank - 2;
            for (; d >= 0; d--) {
                idx[d]++;
                rowStart += stride[d];
                if (idx[d] < shape[d]) {
                    break;
                }
                rowStart -= idx[d] * stride[d];
                idx[d] = 0;
            }
            if (d < 0) {
                return;
            }
        }
    }

    /** Compensated sums of the values and their absolute values, plus the first few values. */
    private static final class Acc {
        final float[] head;
        long count;
        long nonFinite;
        double sum;
        double sumC;
        double abs;
        double absC;

        Acc(int headCount) {
            head = new float[Math.max(0, headCount)];
        }

        void add(double v) {
            if (count < head.length) {
                head[(int) count] = (float) v;
            }
            count++;
            if (!Double.isFinite(v)) {
                nonFinite++;
            }
            double t = sum + v;
            sumC += Math.abs(sum) >= Math.abs(v) ? (sum - t) + v : (v - t) + sum;
            sum = t;
            double a = Math.abs(v);
            double u = abs + a;
            absC += abs >= a ? (abs - u) + a : (a - u) + abs;
            abs = u;
        }

        Checksum result(long bytes) {
            float[] h = java.util.Arrays.copyOf(head, (int) Math.min(head.length, count));
            double s = nonFinite > 0 ? sum : sum + sumC;
            double a = nonFinite > 0 ? abs : abs + absC;
            return new Checksum(count, s, a, h, nonFinite, bytes);
        }
    }

    /**
     * The bytes [base, base + length) of the file as windows of {@code window} bytes, each mapped on first use.
     * The span starts on an element and windows are a multiple of the element size, so no element straddles two.
     */
    static final class Windows implements AutoCloseable {
        private final RawTensor t;
        private final long base;
        private final long length;
        private final int window;
        private final int es;
        private final MappedByteBuffer[] maps;

        Windows(RawTensor t, long base, long length, int window) {
            this.t = t;
            this.base = base;
            this.length = length;
            this.window = window;
            this.es = t.dtype().bytes();
            long size;
            try {
                size = t.channel().size();
            } catch (IOException e) {
                throw new WeightsException(t.label() + ": cannot read (" + e.getMessage() + ")", e);
            }
            if (base + length > size) {
                throw new WeightsException(t.label() + ": truncated: a tensor's data end at byte " + (base + length)
                        + " but the file has " + size);
            }
            long n = (length + window - 1) / window;
            if (n > Integer.MAX_VALUE) {
                throw new WeightsException(t.label() + ": tensor too large to map");
            }
            this.maps = new MappedByteBuffer[(int) n];
        }

        int count() {
            return maps.length;
        }

        ByteBuffer at(int k) {
            MappedByteBuffer m = maps[k];
            if (m == null) {
                long from = (long) k * window;
                long len = Math.min(window, length - from);
                try {
                    m = t.channel().map(FileChannel.MapMode.READ_ONLY, base + from, len);
                } catch (IOException e) {
                    throw new WeightsException(t.label() + ": cannot map bytes " + (base + from) + " to "
                            + (base + from + len) + " (" + e.getMessage() + ")", e);
                }
                m.order(ByteOrder.LITTLE_ENDIAN);
                maps[k] = m;
            }
            return m;
        }

        /** The value of element {@code e} (counted from the span's first element) as a double. */
        double value(long e) {
            long b = e * es;
            int k = (int) (b / window);
            int o = (int) (b - (long) k * window);
            ByteBuffer m = at(k);
            return switch (t.dtype()) {
                case F32 -> m.getFloat(o);
                case F16 -> DType.halfToFloat(m.getShort(o));
                case BF16 -> Float.intBitsToFloat((m.getShort(o) & 0xffff) << 16);
                case I64 -> (double) m.getLong(o);
                case I32 -> m.getInt(o);
            };
        }

        void release(int k) {
            MappedByteBuffer m = maps[k];
            maps[k] = null;
            Unmap.unmap(m);
        }

        @Override
        public void close() {
            for (int k = 0; k < maps.length; k++) {
                if (maps[k] != null) {
                    release(k);
                }
            }
        }
    }

    /**
     * Unmaps a buffer at once (through {@code sun.misc.Unsafe.invokeCleaner}, in {@code jdk.unsupported}) so that
     * reading a 60 GB checkpoint does not leave 60 GB of mappings until the next GC; where that is not available the
     * mapping goes with the buffer's garbage collection.
     */
    static final class Unmap {
        private static final Object UNSAFE;
        private static final Method CLEANER;

        static {
            Object u = null;
            Method m = null;
            try {
                Class<?> c = Class.forName("sun.misc.Unsafe");
                Field f = c.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                u = f.get(null);
                m = c.getMethod("invokeCleaner", ByteBuffer.class);
            } catch (ReflectiveOperationException | RuntimeException e) {
                u = null;
                m = null;
            }
            UNSAFE = u;
            CLEANER = m;
        }

        private Unmap() { }

        static void unmap(MappedByteBuffer b) {
            if (b == null || CLEANER == null) {
                return;
            }
            try {
                CLEANER.invoke(UNSAFE, b);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // left to the garbage collector
            }
        }
    }
}
