package dev.weft.engine.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A ratio accumulated over samples (micro average): {@code sum(numerators) / sum(denominators)}; NaN while the
 * denominator is 0 (the metric does not apply, printed as a dash). Each sample's share is kept too, so that
 * {@link #bootstrapSe} can say how much the figure would move on another draw of as many samples.
 */
public final class Score {
    private double num;
    private double den;
    private double[] sampleNum = new double[0];
    private double[] sampleDen = new double[0];

    /** Adds sample {@code sample}'s numerator and denominator (a sample may add several times). */
    public void add(int sample, double numerator, double denominator) {
        num += numerator;
        den += denominator;
        if (sample >= sampleNum.length) {
            int n = Math.max(sample + 1, sampleNum.length * 2);
            sampleNum = Arrays.copyOf(sampleNum, n);
            sampleDen = Arrays.copyOf(sampleDen, n);
        }
        sampleNum[sample] += numerator;
        sampleDen[sample] += denominator;
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

    /**
     * Bootstrap standard error over samples: the standard deviation of the ratio over {@code reps} redraws, with
     * replacement, of {@code samples} samples (0 to samples - 1; those that added nothing count as 0 / 0). NaN
     * when nothing was added, fewer than two samples are drawn from, or fewer than two redraws give a ratio.
     */
    public double bootstrapSe(int samples, int reps, long seed) {
        if (sampleNum.length == 0 || samples < 2) {
            return Double.NaN;
        }
        SplittableRandom r = new SplittableRandom(seed);
        double[] ratios = new double[reps];
        int n = 0;
        for (int b = 0; b < reps; b++) {
            double sn = 0;
            double sd = 0;
            for (int j = 0; j < samples; j++) {
                int s = r.nextInt(samples);
                if (s < sampleNum.length) {
                    sn += sampleNum[s];
                    sd += sampleDen[s];
                }
            }
            if (sd > 0) {
                ratios[n++] = sn / sd;
            }
        }
        return Bootstrap.sd(ratios, n);
    }
}
