package dev.weft.engine.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import static dev.weft.engine.config.ConfigException.check;
import static dev.weft.engine.config.ConfigException.positive;

/**
 * Noise schedule shared by every sampler (SD 2.1-base's scheduler_config: scaled_linear, 0.00085..0.012,
 * 1000 steps, epsilon prediction, steps_offset 1).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record SchedulerConfig(int numTrainTimesteps, double betaStart, double betaEnd, String betaSchedule,
                              String predictionType, int stepsOffset) {
    public SchedulerConfig {
        String s = "scheduler";
        positive(s, "num_train_timesteps", numTrainTimesteps);
        check(betaStart > 0 && betaEnd > betaStart && betaEnd < 1, s, "beta_start/beta_end",
                "0 < beta_start < beta_end < 1", betaStart + "/" + betaEnd);
        check("scaled_linear".equals(betaSchedule) || "linear".equals(betaSchedule), s, "beta_schedule",
                "scaled_linear or linear", betaSchedule);
        check("epsilon".equals(predictionType) || "v_prediction".equals(predictionType), s, "prediction_type",
                "epsilon or v_prediction", predictionType);
        check(stepsOffset >= 0, s, "steps_offset", "0 or more", stepsOffset);
    }

    public static SchedulerConfig sd21Base() {
        return new SchedulerConfig(1000, 0.00085, 0.012, "scaled_linear", "epsilon", 1);
    }
}
