package dev.weft.engine.pipeline;

/** The samplers a generation can use. DDPM is MM-Interleaved's default. */
public enum SchedulerKind {
    DDPM, DDIM, DPM_SOLVER_PP;

    public static SchedulerKind parse(String s) {
        return switch (s.toLowerCase().replace('-', '_').replace("+", "p")) {
            case "ddpm" -> DDPM;
            case "ddim" -> DDIM;
            case "dpm", "dpmpp", "dpm_solver", "dpm_solverpp", "dpm_solver_pp", "dpmsolver", "dpmpp_2m" -> DPM_SOLVER_PP;
            default -> throw new IllegalArgumentException("unknown scheduler '" + s + "' (expected ddpm, ddim or dpm++)");
        };
    }
}
