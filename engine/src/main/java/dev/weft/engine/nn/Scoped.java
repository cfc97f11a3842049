package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

import java.util.function.Supplier;

/**
 * Runs a block inside an {@link NDScope}: every array created inside is closed on exit except the result, which
 * is re-registered with the enclosing scope (if the caller has one). Keeps the peak memory of deep stacks (the
 * VAE decoder at 512 px) to about one block's intermediates. The supplier must not create arrays it keeps
 * (caches) and must return a new array, not one of its inputs.
 */
public final class Scoped {
    private Scoped() { }

    public static NDArray run(Supplier<NDArray> block) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            out = block.get();
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /**
     * Applies {@code f} to {@code h} scoped, then closes {@code h} unless it is {@code keep} (the caller's
     * input): for chains of blocks where each intermediate is dead once the next one exists.
     */
    public static NDArray chain(NDArray h, NDArray keep, java.util.function.UnaryOperator<NDArray> f) {
        NDArray out = run(() -> f.apply(h));
        if (h != keep) {
            h.close();
        }
        return out;
    }
}
