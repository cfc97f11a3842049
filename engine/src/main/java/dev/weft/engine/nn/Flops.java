package dev.weft.engine.nn;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the floating-point operations of the matrix work (Linear, Conv2d, attention products) as it runs, so the
 * benchmark can report achieved GFLOP/s. One multiply-add counts as 2 FLOPs; element-wise work is not counted.
 */
public final class Flops {
    private static final LongAdder COUNT = new LongAdder();

    private Flops() { }

    public static void add(long flops) {
        COUNT.add(flops);
    }

    public static long total() {
        return COUNT.sum();
    }

    public static void reset() {
        COUNT.reset();
    }
}
