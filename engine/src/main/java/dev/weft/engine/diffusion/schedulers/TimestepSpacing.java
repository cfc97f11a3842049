package dev.weft.engine.diffusion.schedulers;

/**
 * How diffusers 0.20 picks {@code n} of the {@code T} training timesteps ({@code timestep_spacing}). Every
 * result is descending. Numerics follow numpy exactly ({@code np.linspace} as {@code i * (stop/div) + start},
 * {@code round} half to even).
 */
public enum TimestepSpacing {
    /** {@code (arange(n) * (T // n))[::-1] + steps_offset}: DDPM's and DDIM's default (SD: 901, 801, ..., 1). */
    LEADING,
    /** {@code round(linspace(0, T - 1, n))[::-1]}: DPM-Solver's default in 0.20. */
    LINSPACE,
    /** {@code round(arange(T, 0, -T / n)) - 1}. */
    TRAILING;

    /** The DDPM/DDIM timesteps of a run of {@code n} steps. */
    public int[] timesteps(int trainSteps, int n, int stepsOffset) {
        if (n < 1 || n > trainSteps) {
            throw new IllegalArgumentException("num_inference_steps: expected 1.." + trainSteps + ", found " + n);
        }
        int[] out = new int[n];
        switch (this) {
            case LEADING -> {
                int ratio = trainSteps / n;
                for (int i = 0; i < n; i++) {
                    out[i] = (n - 1 - i) * ratio + stepsOffset;
                }
            }
            case LINSPACE -> {
                double[] y = linspace(0, trainSteps - 1, n);
                for (int i = 0; i < n; i++) {
                    out[i] = (int) Math.rint(y[n - 1 - i]);
                }
            }
            case TRAILING -> {
                return trailing(trainSteps, trainSteps, n);
            }
            default -> throw new IllegalStateException(name());
        }
        return out;
    }

    /** {@code np.linspace(start, stop, num)} (endpoint included). */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    /** {@code np.round(np.arange(last, 0, -T / n)) - 1}. */
    static int[] trailing(int last, int trainSteps, int n) {
        double ratio = (double) trainSteps / n;
        int len = (int) Math.ceil((0 - last) / -ratio);
        int[] out = new int[len];
        for (int i = 0; i < len; i++) {
            out[i] = (int) Math.rint(last + i * -ratio) - 1;
        }
        return out;
    }
}
