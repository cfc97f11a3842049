package dev.weft.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import dev.weft.engine.nn.Init;

import java.util.SplittableRandom;

/**
 * The generation's only source of randomness, seeded, in Java (not libtorch's), so a seed gives the same tokens
 * and images on every machine and engine version.
 */
public final class Rng {
    private final SplittableRandom random;

    public Rng(long seed) {
        this.random = new SplittableRandom(seed);
    }

    public double uniform() {
        return random.nextDouble();
    }

    /** Standard normal values (Box-Muller, {@link Init#fillNormal}). */
    public float[] normal(int n) {
        float[] v = new float[n];
        Init.fillNormal(random, v, 0, 1);
        return v;
    }

    public NDArray normal(NDManager manager, Shape shape) {
        return manager.create(normal(Math.toIntExact(shape.size())), shape);
    }
}
