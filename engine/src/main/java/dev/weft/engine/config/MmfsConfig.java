package dev.weft.engine.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import static dev.weft.engine.config.ConfigException.check;
import static dev.weft.engine.config.ConfigException.divisible;
import static dev.weft.engine.config.ConfigException.positive;

/**
 * The Multi-Modal Feature Synchronizer ({@code mmfs.py} MMFS, notes 1.3 and 1.4): multi-image, multi-scale
 * deformable sampling.
 *
 * @param valueDim channels of the image features it samples, after {@code value_proj} (1024)
 * @param numHeads heads (16)
 * @param numLevels feature levels (3 in the LLM: 32, 16, 8; 4 in the UNet: 64..8)
 * @param numPoints points per head, level and image (8)
 * @param offsetInitMagnitude bias range of {@code sampling_offsets} at init (3 in the LLM, 1 in the UNet)
 * @param maxImages rows of {@code query_relpos} (50 in the LLM, 10 in the UNet)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record MmfsConfig(int valueDim, int numHeads, int numLevels, int numPoints, double offsetInitMagnitude,
                         int maxImages) {
    public MmfsConfig {
        String s = "mmfs";
        positive(s, "value_dim", valueDim);
        positive(s, "num_heads", numHeads);
        divisible(s, "value_dim", valueDim, "num_heads", numHeads);
        check(numLevels >= 1 && numLevels <= 4, s, "num_levels", "1 to 4", numLevels);
        positive(s, "num_points", numPoints);
        positive(s, "max_images", maxImages);
    }

    public static MmfsConfig llm13b() {
        return new MmfsConfig(1024, 16, 3, 8, 3.0, 50);
    }

    public static MmfsConfig unet13b() {
        return new MmfsConfig(1024, 16, 4, 8, 1.0, 10);
    }

    public static MmfsConfig llmTiny() {
        return new MmfsConfig(32, 2, 3, 4, 3.0, 8);
    }

    public static MmfsConfig unetTiny() {
        return new MmfsConfig(32, 2, 4, 4, 1.0, 4);
    }
}
