package dev.weft.engine.diffusion.schedulers;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.config.SchedulerConfig;

/** Shared tables, timestep spacing, validation and {@code add_noise} of the three samplers. */
abstract class AbstractScheduler implements Scheduler {
    protected final SchedulerConfig config;
    protected final NoiseSchedule schedule;
    protected final TimestepSpacing spacing;
    /** n of the last {@link #timesteps(int)} call, 0 before it. */
    protected int numInferenceSteps;

    AbstractScheduler(SchedulerConfig config, TimestepSpacing spacing) {
        if (!"epsilon".equals(config.predictionType())) {
            throw new IllegalArgumentException("scheduler prediction_type: only epsilon is implemented, found "
                    + config.predictionType());
        }
        this.config = config;
        this.schedule = new NoiseSchedule(config);
        this.spacing = spacing;
    }

    /** DDIM's and DDPM's {@code set_timesteps}: {@link TimestepSpacing#timesteps}; remembers n for the steps. */
    @Override
    public int[] timesteps(int numInferenceSteps) {
        int[] ts = spacing.timesteps(config.numTrainTimesteps(), numInferenceSteps, config.stepsOffset());
        this.numInferenceSteps = numInferenceSteps;
        return ts;
    }

    @Override
    public NDArray addNoise(NDArray x0, NDArray noise, int t) {
        if (!x0.getShape().equals(noise.getShape())) {
            throw new IllegalArgumentException("addNoise noise: expected " + x0.getShape() + ", found "
                    + noise.getShape());
        }
        float abar = schedule.abar(t);
        return x0.mul(NoiseSchedule.sqrt(abar)).add(noise.mul(NoiseSchedule.sqrt(1f - abar)));
    }

    @Override
    public NoiseSchedule schedule() {
        return schedule;
    }

    @Override
    public SchedulerConfig config() {
        return config;
    }

    static void checkSame(String what, NDArray expected, NDArray found) {
        if (!expected.getShape().equals(found.getShape())) {
            throw new IllegalArgumentException("scheduler step " + what + ": expected " + expected.getShape()
                    + ", found " + found.getShape());
        }
    }
}
