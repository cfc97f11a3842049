package dev.weft.engine.pipeline;

import dev.weft.engine.diffusion.schedulers.SchedulerKind;

/**
 * How to sample text and images. Defaults are MM-Interleaved's {@code mm_inference.yaml}: nucleus sampling with
 * top-p 0.9 at temperature 1, repetition penalty 1.3, 8 to 90 new tokens; 30 DDPM steps with guidance 7.5;
 * seed 42.
 *
 * @param temperature 0 means greedy (argmax)
 * @param topP nucleus mass kept, in (0, 1]
 * @param repetitionPenalty HF-style penalty on tokens already in the sequence (1 = off)
 * @param minNewTokens end tokens are suppressed before this many new tokens
 * @param maxNewTokens text stops after this many new tokens
 * @param seed seeds token sampling and image noise: the same seed gives the same result
 * @param steps denoising steps
 * @param guidance classifier-free guidance scale (1 = off)
 * @param scheduler the sampler
 * @param maxImages a continuation stops after generating this many images
 */
public record SamplingOptions(float temperature, float topP, float repetitionPenalty, int minNewTokens,
                              int maxNewTokens, long seed, int steps, float guidance, SchedulerKind scheduler,
                              int maxImages) {
    public SamplingOptions {
        if (temperature < 0) {
            throw new IllegalArgumentException("temperature: expected >= 0, found " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p: expected a value in (0, 1], found " + topP);
        }
        if (repetitionPenalty <= 0) {
            throw new IllegalArgumentException("repetition penalty: expected > 0, found " + repetitionPenalty);
        }
        if (minNewTokens < 0 || maxNewTokens < 1 || minNewTokens > maxNewTokens) {
            throw new IllegalArgumentException("tokens: expected 0 <= min <= max and max >= 1, found min "
                    + minNewTokens + " max " + maxNewTokens);
        }
        if (steps < 1 || steps > 1000) {
            throw new IllegalArgumentException("steps: expected 1 to 1000, found " + steps);
        }
        if (guidance < 0) {
            throw new IllegalArgumentException("guidance: expected >= 0, found " + guidance);
        }
        if (maxImages < 0) {
            throw new IllegalArgumentException("max images: expected >= 0, found " + maxImages);
        }
    }

    public static SamplingOptions defaults() {
        return new SamplingOptions(1.0f, 0.9f, 1.3f, 8, 90, 42, 30, 7.5f, SchedulerKind.DDPM, 1);
    }

    public SamplingOptions withSeed(long s) {
        return new SamplingOptions(temperature, topP, repetitionPenalty, minNewTokens, maxNewTokens, s, steps,
                guidance, scheduler, maxImages);
    }

    public SamplingOptions withSteps(int n) {
        return new SamplingOptions(temperature, topP, repetitionPenalty, minNewTokens, maxNewTokens, seed, n,
                guidance, scheduler, maxImages);
    }

    public SamplingOptions withGuidance(float g) {
        return new SamplingOptions(temperature, topP, repetitionPenalty, minNewTokens, maxNewTokens, seed, steps,
                g, scheduler, maxImages);
    }

    public SamplingOptions withScheduler(SchedulerKind k) {
        return new SamplingOptions(temperature, topP, repetitionPenalty, minNewTokens, maxNewTokens, seed, steps,
                guidance, k, maxImages);
    }

    public SamplingOptions withText(float temp, float p, float penalty, int minNew, int maxNew) {
        return new SamplingOptions(temp, p, penalty, minNew, maxNew, seed, steps, guidance, scheduler, maxImages);
    }

    public SamplingOptions withMaxImages(int n) {
        return new SamplingOptions(temperature, topP, repetitionPenalty, minNewTokens, maxNewTokens, seed, steps,
                guidance, scheduler, n);
    }
}
