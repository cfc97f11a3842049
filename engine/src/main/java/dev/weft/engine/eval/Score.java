package dev.weft.engine.eval;

/**
 * A ratio accumulated over samples (micro average): {@code sum(numerators) / sum(denominators)}; NaN while the
 * denominator is 0 (the metric does not apply, printed as a dash).
 */
public final class Score {
    private double num;
    private double den;

    public void add(double numerator, double denominator) {
        num += numerator;
        den += denominator;
    }

    public double value() {
        return den == 0 ? Double.NaN : num / den;
    }

    public double numerator() {
        return num;
    }

    public double denominator() {
        return den;
    }
}
