package dev.weft.engine.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

import static dev.weft.engine.config.ConfigException.check;
import static dev.weft.engine.config.ConfigException.divisible;
import static dev.weft.engine.config.ConfigException.positive;

/**
 * diffusers {@code UNet2DConditionModel} as used by SD 2.1-base (notes 1.4), plus its MMFSNet.
 *
 * <p>Block types follow SD: every down block but the last has cross-attention ("CrossAttnDownBlock2D"), the last
 * has none ("DownBlock2D"); the up blocks mirror that. SD 2.x uses linear projections in its transformers.
 *
 * @param inChannels latent channels in (4)
 * @param outChannels latent channels out (4)
 * @param blockOutChannels per-block widths (320, 640, 1280, 1280)
 * @param layersPerBlock resnets per down block (2); up blocks have one more
 * @param attentionHeadDim heads per block, as diffusers' misnamed {@code attention_head_dim} (5, 10, 20, 20)
 * @param crossAttentionDim width of the conditioning (1024)
 * @param normNumGroups GroupNorm groups (32)
 * @param normEps GroupNorm eps (1e-5)
 * @param sampleSize latent side (64)
 * @param useLinearProjection Transformer2DModel proj_in/proj_out as Linear (true for SD 2.x)
 * @param mmfs MMFSNet's MMFS blocks
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record UNetConfig(int inChannels, int outChannels, List<Integer> blockOutChannels, int layersPerBlock,
                         List<Integer> attentionHeadDim, int crossAttentionDim, int normNumGroups, double normEps,
                         int sampleSize, boolean useLinearProjection, MmfsConfig mmfs) {
    public UNetConfig {
        String s = "unet";
        positive(s, "in_channels", inChannels);
        positive(s, "out_channels", outChannels);
        check(blockOutChannels != null && blockOutChannels.size() >= 2, s, "block_out_channels",
                "at least two blocks", blockOutChannels);
        check(attentionHeadDim != null && attentionHeadDim.size() == blockOutChannels.size(), s,
                "attention_head_dim", "one entry per block (" + blockOutChannels.size() + ")", attentionHeadDim);
        positive(s, "layers_per_block", layersPerBlock);
        positive(s, "cross_attention_dim", crossAttentionDim);
        positive(s, "norm_num_groups", normNumGroups);
        for (int c : blockOutChannels) {
            divisible(s, "block_out_channels[]", c, "norm_num_groups", normNumGroups);
        }
        positive(s, "sample_size", sampleSize);
        divisible(s, "sample_size", sampleSize, "2^(blocks-1)", 1L << (blockOutChannels.size() - 1));
        check(mmfs != null, s, "mmfs", "an mmfs section", "none");
        blockOutChannels = List.copyOf(blockOutChannels);
        attentionHeadDim = List.copyOf(attentionHeadDim);
    }

    /** Time-embedding width (4 x first block width). */
    public int timeEmbedDim() {
        return blockOutChannels.get(0) * 4;
    }

    /** Skip tensors the down path produces: conv_in, each resnet, each downsampler (12 for SD). */
    public int numDownSkips() {
        int n = blockOutChannels.size();
        return 1 + n * layersPerBlock + (n - 1);
    }

    /** Stable Diffusion 2.1-base with MMFSNet. */
    public static UNetConfig sd21Base() {
        return new UNetConfig(4, 4, List.of(320, 640, 1280, 1280), 2, List.of(5, 10, 20, 20), 1024, 32, 1e-5,
                64, true, MmfsConfig.unet13b());
    }

    /** Tiny: widths 32/64, one resnet per block, 8x8 latents. */
    public static UNetConfig tiny() {
        return new UNetConfig(4, 4, List.of(32, 64), 1, List.of(2, 4), 32, 8, 1e-5, 8, true, MmfsConfig.unetTiny());
    }
}
