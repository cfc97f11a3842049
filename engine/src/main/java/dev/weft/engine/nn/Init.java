package dev.weft.engine.nn;

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
}
