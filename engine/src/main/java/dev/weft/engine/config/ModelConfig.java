package dev.weft.engine.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.weft.engine.config.ConfigException.check;
import static dev.weft.engine.config.ConfigException.positive;

/**
 * A whole MM-Interleaved model: the same classes build every size, from {@link #tiny()} to
 * {@link #mmInterleaved13b()}. Bound to {@code config.json} (snake_case keys).
 *
 * @param name model id shown to users
 * @param vision CLIP ViT + ViT-Adapter
 * @param visualResampler Q-Former producing {@code numQueries} tokens per image ({@code visual_tokenizer})
 * @param llm LLaMA with MMFS ({@code mm_decoder})
 * @param contextResampler Q-Former producing the UNet condition ({@code image_decoder.perceiver_resampler})
 * @param unet UNet2DCondition + MMFSNet
 * @param vae AutoencoderKL
 * @param scheduler noise schedule
 * @param tokens special token ids
 * @param decoderImageSize generated image side in pixels (512)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelConfig(String name, VisionConfig vision, QFormerConfig visualResampler, LlmConfig llm,
                          QFormerConfig contextResampler, UNetConfig unet, VaeConfig vae,
                          SchedulerConfig scheduler, TokenConfig tokens, int decoderImageSize) {
    public ModelConfig {
        String s = "model";
        check(vision != null, s, "vision", "a section", "none");
        check(visualResampler != null, s, "visual_resampler", "a section", "none");
        check(llm != null, s, "llm", "a section", "none");
        check(contextResampler != null, s, "context_resampler", "a section", "none");
        check(unet != null, s, "unet", "a section", "none");
        check(vae != null, s, "vae", "a section", "none");
        check(scheduler != null, s, "scheduler", "a section", "none");
        check(tokens != null, s, "tokens", "a section", "none");
        positive(s, "decoder_image_size", decoderImageSize);
        check(visualResampler.encoderHiddenSize() == vision.hiddenSize(), "visual_resampler",
                "encoder_hidden_size", "vision.hidden_size (" + vision.hiddenSize() + ")",
                visualResampler.encoderHiddenSize());
        check(contextResampler.encoderHiddenSize() == llm.hiddenSize(), "context_resampler",
                "encoder_hidden_size", "llm.hidden_size (" + llm.hiddenSize() + ")",
                contextResampler.encoderHiddenSize());
        check(contextResampler.hiddenSize() == unet.crossAttentionDim(), "context_resampler", "hidden_size",
                "unet.cross_attention_dim (" + unet.crossAttentionDim() + ")", contextResampler.hiddenSize());
        check(llm.mmfs().valueDim() == vision.hiddenSize(), "llm.mmfs", "value_dim",
                "vision.hidden_size (" + vision.hiddenSize() + ")", llm.mmfs().valueDim());
        check(unet.mmfs().valueDim() == vision.hiddenSize(), "unet.mmfs", "value_dim",
                "vision.hidden_size (" + vision.hiddenSize() + ")", unet.mmfs().valueDim());
        check(tokens.image() == llm.vocabSize() - 1, "tokens", "image",
                "the last id of the vocabulary (" + (llm.vocabSize() - 1) + ")", tokens.image());
        check(vae.latentChannels() == unet.inChannels(), "vae", "latent_channels",
                "unet.in_channels (" + unet.inChannels() + ")", vae.latentChannels());
        check(decoderImageSize == unet.sampleSize() * vae.downsampleFactor(), s, "decoder_image_size",
                "unet.sample_size x vae factor (" + unet.sampleSize() * vae.downsampleFactor() + ")",
                decoderImageSize);
    }

    /** Visual tokens per image (64 for the published model). */
    public int numImageTokens() {
        return visualResampler.numQueries();
    }

    /** The released MM-Interleaved (CLIP ViT-L/14, Vicuna-13B, SD 2.1-base), about 14.9 B parameters. */
    public static ModelConfig mmInterleaved13b() {
        return new ModelConfig("mm-interleaved-13b", VisionConfig.clipVitL14(), QFormerConfig.visual13b(),
                LlmConfig.vicuna13b(), QFormerConfig.context13b(), UNetConfig.sd21Base(), VaeConfig.sd21Base(),
                SchedulerConfig.sd21Base(), TokenConfig.vicuna(), 512);
    }

    /** The tiny config used by tests and fixtures: every component, a few hundred thousand parameters. */
    public static ModelConfig tiny() {
        return tiny(TINY_VOCAB);
    }

    /** Vocabulary of the tiny tokenizer shipped in assets/tiny (words plus specials plus the image tokens). */
    public static final int TINY_VOCAB = 96;

    public static ModelConfig tiny(int vocabSize) {
        return new ModelConfig("tiny", VisionConfig.tiny(), QFormerConfig.visualTiny(), LlmConfig.tiny(vocabSize),
                QFormerConfig.contextTiny(), UNetConfig.tiny(), VaeConfig.tiny(), SchedulerConfig.sd21Base(),
                TokenConfig.forVocab(vocabSize), 64);
    }

    /** Vocabulary of the weft-small tokenizer (assets/weft-small): the world's 61 words plus the specials. */
    public static final int WEFT_SMALL_VOCAB = 67;

    /**
     * The bundled model trained on the procedural world (docs/model-card.md), about 9.4 M parameters: 128 px
     * pictures everywhere (encoder 128 px with 16 px patches, so an 8 x 8 grid and adapter maps 32/16/8/4; decoder
     * 16 x 16 latents of 8 channels and a VAE of factor 8), an LLM of width 256 with 4 layers (MMFS at 0 and 2),
     * 16 visual tokens per image and 32 context queries. The VAE's {@code scaling_factor} is 1 / the standard
     * deviation of its latents over the training pictures, measured after its training stage
     * (engine/training/weft_train/train.py).
     */
    public static ModelConfig weftSmall() {
        VisionConfig vision = new VisionConfig(128, 16, 128, 4, 4, 384, 1e-5, 16, 4, 0.5, 0.25, 2);
        QFormerConfig visual = new QFormerConfig(16, 128, 2, 4, 256, 1, 128, true, 1e-12);
        LlmConfig llm = new LlmConfig(WEFT_SMALL_VOCAB, 256, 448, 4, 4, 1e-6, 512, 10000.0, 2,
                new MmfsConfig(128, 4, 3, 4, 3.0, 16));
        QFormerConfig context = new QFormerConfig(32, 128, 1, 4, 256, 1, 256, false, 1e-12);
        UNetConfig unet = new UNetConfig(8, 8, java.util.List.of(64, 128), 1, java.util.List.of(4, 8), 128, 16, 1e-5,
                16, true, new MmfsConfig(128, 4, 4, 2, 1.0, 4));
        VaeConfig vae = new VaeConfig(3, 8, java.util.List.of(32, 48, 64, 64), 1, 16, WEFT_SMALL_VAE_SCALE);
        return new ModelConfig("weft-small", vision, visual, llm, context, unet, vae, SchedulerConfig.sd21Base(),
                TokenConfig.forVocab(WEFT_SMALL_VOCAB), 128);
    }

    /** weft-small's latent scaling (1 / std of the trained VAE's latent means over the training pictures). */
    static final double WEFT_SMALL_VAE_SCALE = 0.43497;

    /** A preset by name: {@code tiny}, {@code weft-small} or {@code mm-interleaved-13b}. */
    public static ModelConfig preset(String name) {
        return switch (name) {
            case "tiny" -> tiny();
            case "weft-small" -> weftSmall();
            case "mm-interleaved-13b" -> mmInterleaved13b();
            default -> throw new ConfigException("unknown preset '" + name
                    + "' (expected tiny, weft-small or mm-interleaved-13b)");
        };
    }

    public static ObjectMapper mapper() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);
    }

    /** Reads and validates a config.json; errors name the file and the field. */
    public static ModelConfig read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": config file not found");
        }
        try {
            return mapper().readValue(file.toFile(), ModelConfig.class);
        } catch (com.fasterxml.jackson.databind.exc.ValueInstantiationException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new ConfigException(file + ": " + c.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException(file + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    public void write(Path file) throws IOException {
        mapper().writeValue(file.toFile(), this);
    }
}
