package dev.weft.engine.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

import static dev.weft.engine.config.ConfigException.check;
import static dev.weft.engine.config.ConfigException.divisible;
import static dev.weft.engine.config.ConfigException.positive;

/**
 * diffusers {@code AutoencoderKL} (SD 2.1-base's VAE). The image side is {@code 2^(blocks-1)} times the latent.
 *
 * @param inChannels image channels (3)
 * @param latentChannels latent channels (4)
 * @param blockOutChannels (128, 256, 512, 512)
 * @param layersPerBlock resnets per encoder block (2); decoder blocks have one more
 * @param normNumGroups GroupNorm groups (32)
 * @param scalingFactor latents are multiplied by this after encoding (0.18215)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record VaeConfig(int inChannels, int latentChannels, List<Integer> blockOutChannels, int layersPerBlock,
                        int normNumGroups, double scalingFactor) {
    public VaeConfig {
        String s = "vae";
        positive(s, "in_channels", inChannels);
        positive(s, "latent_channels", latentChannels);
        check(blockOutChannels != null && !blockOutChannels.isEmpty(), s, "block_out_channels",
                "at least one block", blockOutChannels);
        positive(s, "layers_per_block", layersPerBlock);
        positive(s, "norm_num_groups", normNumGroups);
        for (int c : blockOutChannels) {
            divisible(s, "block_out_channels[]", c, "norm_num_groups", normNumGroups);
        }
        check(scalingFactor > 0, s, "scaling_factor", "a positive number", scalingFactor);
        blockOutChannels = List.copyOf(blockOutChannels);
    }

    /** Image pixels per latent pixel along a side. */
    public int downsampleFactor() {
        return 1 << (blockOutChannels.size() - 1);
    }

    public static VaeConfig sd21Base() {
        return new VaeConfig(3, 4, List.of(128, 256, 512, 512), 2, 32, 0.18215);
    }

    /** Tiny: factor 8 (four blocks) so 64 px images have 8x8 latents. */
    public static VaeConfig tiny() {
        return new VaeConfig(3, 4, List.of(8, 16, 16, 16), 1, 4, 0.18215);
    }
}
