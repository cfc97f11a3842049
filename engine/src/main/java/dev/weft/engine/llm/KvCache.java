package dev.weft.engine.llm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import java.util.function.Supplier;

/**
 * The self-attention key/value cache of every layer for incremental decoding, plus (an optimisation with identical
 * results) each MMFS layer's projected vision values, which do not change while the images stay the same.
 *
 * <p>Dimensions: B batch, H heads, S cached tokens, Dh head width. Keys and values live in per-layer buffers
 * (B, H, capacity, Dh), written in place, so appending costs O(new tokens). The capacity is the cached length
 * rounded up to a power of two (at least 16), at most the model's context: it doubles as the document grows and
 * never passes the context (the memory plan's KV term counts the same). The cache owns its memory (a sub-manager of
 * the one given) and must be closed.
 */
public final class KvCache implements AutoCloseable {
    private final NDManager manager;
    private final int maxCapacity;
    private final NDArray[] keys;    // (B, H, capacity, Dh) per layer
    private final NDArray[] values;  // (B, H, capacity, Dh) per layer
    private final long[] lengths;
    private final NDArray[] visionValues; // MMFS value_proj(norm2(features)) per layer, (B, N, Sv, D)
    private VisionFeatures visionSource;

    /**
     * @param numLayers the LLM's layers
     * @param maxCapacity the model's context (max positions): the buffers never grow past it
     */
    public KvCache(NDManager parent, int numLayers, int maxCapacity) {
        if (maxCapacity < 1) {
            throw new IllegalArgumentException("maxCapacity: expected at least 1, found " + maxCapacity);
        }
        this.maxCapacity = maxCapacity;
        this.manager = parent.newSubManager();
        this.keys = new NDArray[numLayers];
        this.values = new NDArray[numLayers];
        this.lengths = new long[numLayers];
        this.visionValues = new NDArray[numLayers];
    }

    /** Tokens cached (those of layer 0; every layer holds the same count after a full forward). */
    public long length() {
        return lengths.length == 0 ? 0 : lengths[0];
    }

    public int numLayers() {
        return keys.length;
    }

    /**
     * Appends the new tokens' keys and values of one layer.
     *
     * @param k (B, H, T, Dh)
     * @param v (B, H, T, Dh)
     * @return {keys, values} of all cached tokens, (B, H, S, Dh) each, views on k's manager
     */
    public NDArray[] append(int layer, NDArray k, NDArray v) {
        Shape ks = k.getShape();
        long t = ks.get(2);
        long start = lengths[layer];
        long end = start + t;
        if (keys[layer] != null) {
            Shape bs = keys[layer].getShape();
            if (bs.get(0) != ks.get(0) || bs.get(1) != ks.get(1) || bs.get(3) != ks.get(3)) {
                throw new IllegalArgumentException("k: expected (" + bs.get(0) + ", " + bs.get(1) + ", T, "
                        + bs.get(3) + "), found " + ks);
            }
        }
        if (keys[layer] == null || keys[layer].getShape().get(2) < end) {
            long cap = capacity(end, maxCapacity);
            keys[layer] = grow(keys[layer], k, cap, start);
            values[layer] = grow(values[layer], v, cap, start);
        }
        NDIndex slot = new NDIndex(":, :, {}:{}, :", start, end);
        keys[layer].set(slot, k);
        values[layer].set(slot, v);
        lengths[layer] = end;
        NDIndex all = new NDIndex(":, :, :{}, :", end);
        NDArray kAll = keys[layer].get(all);                    // (B, H, S, Dh), a view
        NDArray vAll = values[layer].get(all);                  // (B, H, S, Dh), a view
        kAll.attach(k.getManager());
        vAll.attach(k.getManager());
        return new NDArray[] {kAll, vAll};
    }

    /** {@code length} rounded up to a power of two, at least 16, at most {@code max} (or {@code length} past it). */
    public static long capacity(long length, long max) {
        long c = 16;
        while (c < length) {
            c <<= 1;
        }
        return Math.max(length, Math.min(c, max));
    }

    /** A buffer of {@code capacity} slots in the type of {@code like} (the compute type), the first keep kept. */
    private NDArray grow(NDArray old, NDArray like, long capacity, long keep) {
        Shape s = like.getShape();
        NDArray buf = manager.zeros(new Shape(s.get(0), s.get(1), capacity, s.get(3)), like.getDataType()); // (B, H, cap, Dh)
        NDScope.unregister(buf);                                  // owned by the cache, not by a caller's scope
        if (old != null) {
            if (keep > 0) {
                try (NDArray kept = old.get(new NDIndex(":, :, :{}, :", keep))) {        // (B, H, keep, Dh)
                    buf.set(new NDIndex(":, :, :{}, :", keep), kept);
                }
            }
            old.close();
        }
        return buf;
    }

    /** Drops every token at position {@code length} and after (e.g. to re-decode from a point). */
    public void truncate(long length) {
        if (length < 0 || length > length()) {
            throw new IllegalArgumentException("length: expected 0.." + length() + ", found " + length);
        }
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = Math.min(lengths[i], length);
        }
    }

    /**
     * The projected vision values of an MMFS layer for these features, computed once by {@code compute} and kept
     * while the same {@link VisionFeatures} instance is passed (a different instance clears every layer's entry).
     */
    NDArray visionValue(int layer, VisionFeatures feats, Supplier<NDArray> compute) {
        if (feats != visionSource) {
            for (int i = 0; i < visionValues.length; i++) {
                if (visionValues[i] != null) {
                    visionValues[i].close();
                    visionValues[i] = null;
                }
            }
            visionSource = feats;
        }
        if (visionValues[layer] == null) {
            NDArray v = compute.get();
            v.attach(manager);
            NDScope.unregister(v);                                // kept across calls: out of the caller's scope
            visionValues[layer] = v;
        }
        return visionValues[layer];
    }

    @Override
    public void close() {
        manager.close();
    }
}
