package dev.weft.engine.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model folder's preferred sampling settings ({@code generation.json}, optional): every field may be left out,
 * and what is left out falls back to MM-Interleaved's {@code mm_inference.yaml} values. The bundled model, trained on
 * Weft's world, prefers e.g. DDIM at guidance 3.5 and no repetition penalty (its captions repeat "a", "the").
 *
 * @param captionPrompt text after the image when captioning (MM-Interleaved: "a photo of")
 * @param scheduler ddpm, ddim or dpm++
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record GenerationDefaults(String captionPrompt, Float temperature, Float topP, Float repetitionPenalty,
                                 Integer minNewTokens, Integer maxNewTokens, Integer steps, Float guidance,
                                 String scheduler) {

    /** MM-Interleaved's own settings. */
    public static final GenerationDefaults MM_INTERLEAVED =
            new GenerationDefaults("a photo of", 1.0f, 0.9f, 1.3f, 8, 90, 30, 7.5f, "ddpm");

    /** Reads {@code generation.json} if the folder has one; fields it leaves out come from {@link #MM_INTERLEAVED}. */
    public static GenerationDefaults read(Path modelDir) {
        Path file = modelDir.resolve("generation.json");
        if (!Files.isRegularFile(file)) {
            return MM_INTERLEAVED;
        }
        try {
            GenerationDefaults g = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(file.toFile(), GenerationDefaults.class);
            return g.orElse(MM_INTERLEAVED);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException(file + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** This, with every missing field taken from {@code base}. */
    public GenerationDefaults orElse(GenerationDefaults base) {
        return new GenerationDefaults(captionPrompt != null ? captionPrompt : base.captionPrompt,
                temperature != null ? temperature : base.temperature, topP != null ? topP : base.topP,
                repetitionPenalty != null ? repetitionPenalty : base.repetitionPenalty,
                minNewTokens != null ? minNewTokens : base.minNewTokens,
                maxNewTokens != null ? maxNewTokens : base.maxNewTokens, steps != null ? steps : base.steps,
                guidance != null ? guidance : base.guidance, scheduler != null ? scheduler : base.scheduler);
    }
}
