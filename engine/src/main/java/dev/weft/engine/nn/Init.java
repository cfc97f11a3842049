package dev.weft.engine.nn;

import java.util.SplittableRandom;

/**
 * How a parameter is filled when a model is built without weights ({@link Params.Mode#INIT}): the same
 * initialisations the reference uses where they matter (zero gates, zero convs, ones for norms).
 */
public record Init(Kind kind, float a, float b) {
    public enum Kind { DEFAULT, ZEROS, ONES, NORMAL, UNIFORM, CONSTANT }

    /** normal(0, 0.02) for matrices and convs, zeros for biases, ones for 1-D norm weights. */
    public static final Init DEFAULT = new Init(Kind.DEFAULT, 0, 0);

    public static Init zeros() {
        return new Init(Kind.ZEROS, 0, 0);
    }

    public static Init ones() {
        return new Init(Kind.ONES, 0, 0);
    }

    public static Init normal(float std) {
        return new Init(Kind.NORMAL, 0, std);
    }

    public static Init uniform(float lo, float hi) {
        return new Init(Kind.UNIFORM, lo, hi);
    }

    public static Init constant(float v) {
        return new Init(Kind.CONSTANT, v, 0);
    }

    /**
     * Fills {@code out} with normal(mean, std) values from {@code rng} by Box-Muller (two values per pair of
     * uniforms, in order): Java's own deterministic stream, the same on every machine. Used for INIT-mode
     * parameters and for seeded sampler noise.
     */
    public static void fillNormal(SplittableRandom rng, float[] out, double mean, double std) {
        for (int i = 0; i < out.length; i += 2) {
            double u1 = 1.0 - rng.nextDouble();
            double u2 = rng.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1));
            out[i] = (float) (mean + std * r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < out.length) {
                out[i + 1] = (float) (mean + std * r * Math.sin(2 * Math.PI * u2));
            }
        }
    }
}
