package dev.weft.engine.config;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import static dev.weft.engine.config.ConfigException.check;
import static dev.weft.engine.config.ConfigException.divisible;
import static dev.weft.engine.config.ConfigException.positive;

/**
 * CLIP vision transformer wrapped in a ViT-Adapter (notes 1.1, 1.2).
 *
 * <p>The patch grid is {@code imageSize / patchSize} (16 for CLIP ViT-L/14 at 224). The adapter's spatial-prior
 * CNN runs on the image resized to {@code grid * 16} and yields four maps at strides 4, 8, 16, 32 of that size
 * (64, 32, 16, 8 for the published model), each with {@code hiddenSize} channels.
 *
 * @param imageSize encoder input size (224)
 * @param patchSize ViT patch size (14)
 * @param hiddenSize ViT width, also the adapter's and the feature maps' channels (1024)
 * @param numLayers ViT layers (24); split into {@code interactions} equal groups for the adapter
 * @param numHeads ViT heads, also the adapter's deformable-attention heads (16)
 * @param intermediateSize ViT MLP width (4096)
 * @param layerNormEps CLIP's LayerNorm eps (1e-5)
 * @param convInplane spatial-prior CNN base channels (64)
 * @param adapterPoints deformable points per head and level in the adapter (4)
 * @param deformRatio value-channel ratio in the adapter's deformable attention (0.5)
 * @param cffnRatio hidden ratio of the adapter's convolutional FFN (0.25)
 * @param interactions adapter interaction blocks (4)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record VisionConfig(int imageSize, int patchSize, int hiddenSize, int numLayers, int numHeads,
                           int intermediateSize, double layerNormEps, int convInplane, int adapterPoints,
                           double deformRatio, double cffnRatio, int interactions) {
    public VisionConfig {
        String s = "vision";
        positive(s, "image_size", imageSize);
        positive(s, "patch_size", patchSize);
        divisible(s, "image_size", imageSize, "patch_size", patchSize);
        positive(s, "hidden_size", hiddenSize);
        positive(s, "num_heads", numHeads);
        divisible(s, "hidden_size", hiddenSize, "num_heads", numHeads);
        positive(s, "num_layers", numLayers);
        positive(s, "interactions", interactions);
        divisible(s, "num_layers", numLayers, "interactions", interactions);
        positive(s, "intermediate_size", intermediateSize);
        positive(s, "conv_inplane", convInplane);
        positive(s, "adapter_points", adapterPoints);
        check(deformRatio > 0 && deformRatio <= 1, s, "deform_ratio", "a ratio in (0, 1]", deformRatio);
        check(cffnRatio > 0, s, "cffn_ratio", "a positive ratio", cffnRatio);
        check(layerNormEps > 0, s, "layer_norm_eps", "a positive number", layerNormEps);
    }

    /** Patches per side (16 for ViT-L/14 at 224). */
    public int grid() {
        return imageSize / patchSize;
    }

    /** Side of the image the spatial-prior CNN sees ({@code grid * 16}, 256 for the published model). */
    public int spmImageSize() {
        return grid() * 16;
    }

    /** Sides of the four multi-scale maps c1..c4 (strides 4, 8, 16, 32 of {@link #spmImageSize()}). */
    public int[] featureSizes() {
        int s = spmImageSize();
        return new int[] {s / 4, s / 8, s / 16, s / 32};
    }

    /** Inclusive ViT layer ranges of each interaction block ([[0,5],[6,11],[12,17],[18,23]] for 24 layers). */
    public int[][] interactionIndexes() {
        int per = numLayers / interactions;
        int[][] r = new int[interactions][];
        for (int i = 0; i < interactions; i++) {
            r[i] = new int[] {i * per, i * per + per - 1};
        }
        return r;
    }

    /** openai/clip-vit-large-patch14 at 224 with the ViT-Adapter of MM-Interleaved. */
    public static VisionConfig clipVitL14() {
        return new VisionConfig(224, 14, 1024, 24, 16, 4096, 1e-5, 64, 4, 0.5, 0.25, 4);
    }

    /** Tiny: 32 px, 8x8 patches, width 32. Feature maps 32, 16, 8, 4. */
    public static VisionConfig tiny() {
        return new VisionConfig(32, 4, 32, 4, 2, 64, 1e-5, 8, 2, 0.5, 0.25, 2);
    }
}
