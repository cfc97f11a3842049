package dev.weft.engine.diffusion.schedulers;

import dev.weft.engine.config.SchedulerConfig;

/** The samplers on offer, with diffusers 0.20's defaults for each (see each class). */
public enum SchedulerKind {
    /** {@link DDPMScheduler}: MM-Interleaved's sampler (stochastic; needs a {@link StepNoise}). */
    DDPM,
    /** {@link DDIMScheduler} with eta 0 (deterministic). */
    DDIM,
    /** {@link DPMSolverMultistepScheduler}: DPM-Solver++(2M) (deterministic, good at 20-30 steps). */
    DPM_SOLVER_PP_2M;

    /** A fresh scheduler (one per concurrent run). */
    public Scheduler create(SchedulerConfig config) {
        return switch (this) {
            case DDPM -> new DDPMScheduler(config);
            case DDIM -> new DDIMScheduler(config);
            case DPM_SOLVER_PP_2M -> new DPMSolverMultistepScheduler(config);
        };
    }

    /** Parses a user's name for a sampler: ddpm, ddim, dpm++ (also dpm, dpmpp, dpm-solver++). */
    public static SchedulerKind parse(String s) {
        return switch (s.toLowerCase().replace('-', '_').replace("+", "p")) {
            case "ddpm" -> DDPM;
            case "ddim" -> DDIM;
            case "dpm", "dpmpp", "dpm_solverpp", "dpm_solver_pp", "dpmsolver", "dpmpp_2m", "dpm_solver_pp_2m" -> DPM_SOLVER_PP_2M;
            default -> throw new IllegalArgumentException("unknown scheduler '" + s + "' (expected ddpm, ddim or dpm++)");
        };
    }
}
