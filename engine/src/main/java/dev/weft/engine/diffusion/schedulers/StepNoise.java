package dev.weft.engine.diffusion.schedulers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.nn.Init;

import java.util.SplittableRandom;

/**
 * Where a stochastic sampler step gets its standard-normal noise. The caller owns the randomness, so a seeded
 * source makes a run deterministic. A scheduler calls {@link #next} only when its step needs noise (DDPM: every
 * step with t > 0, i.e. every step of a run; DDIM: only with eta > 0; DPM-Solver++ 2M: never).
 */
@FunctionalInterface
public interface StepNoise {
    /** A fresh standard-normal tensor of {@code shape}, fp32, created on {@code manager}. */
    NDArray next(NDManager manager, Shape shape);

    /** For deterministic samplers: fails if a step asks for noise. */
    StepNoise NONE = (manager, shape) -> {
        throw new IllegalStateException("this sampler step needs noise but StepNoise.NONE was given");
    };

    /**
     * Deterministic Gaussian noise from a Java {@link SplittableRandom} (Box-Muller, {@link Init#fillNormal}),
     * independent of libtorch's generator: the same seed gives the same tensors on every machine. It does not
     * reproduce PyTorch's {@code torch.Generator} streams.
     */
    static StepNoise seeded(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return (manager, shape) -> {
            float[] v = new float[Math.toIntExact(shape.size())];
            Init.fillNormal(rng, v, 0, 1);
            return manager.create(v, shape);
        };
    }

    /**
     * Replays given tensors: call {@code i} returns {@code stacked[i]} (stacked: (N, ...)); for tests and for
     * noise drawn elsewhere.
     */
    static StepNoise replay(NDArray stacked) {
        int[] used = {0};
        return (manager, shape) -> {
            if (used[0] >= stacked.getShape().get(0)) {
                throw new IllegalStateException("StepNoise.replay: all " + stacked.getShape().get(0)
                        + " noise tensors were used");
            }
            NDArray z = stacked.get(used[0]++);
            if (!z.getShape().equals(shape)) {
                throw new IllegalArgumentException("StepNoise.replay: expected " + shape + ", found " + z.getShape());
            }
            return z;
        };
    }
}
