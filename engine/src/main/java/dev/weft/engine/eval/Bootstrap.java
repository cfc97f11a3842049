package dev.weft.engine.eval;

/** The bootstrap's redraw count and its standard deviation (the metrics' standard errors, {@code weft eval --json}). */
final class Bootstrap {
    /** Redraws per standard error. */
    static final int REPS = 1000;

    private Bootstrap() { }

    /** Sample standard deviation of {@code v[0..n)}; NaN for fewer than two values. */
    static double sd(double[] v, int n) {
        if (n < 2) {
            return Double.NaN;
        }
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += v[i];
        }
        mean /= n;
        double ss = 0;
        for (int i = 0; i < n; i++) {
            ss += (v[i] - mean) * (v[i] - mean);
        }
        return Math.sqrt(ss / (n - 1));
    }
}
