package dev.weft.engine.mmfs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * DJL attaches an op's result to its first operand's manager. When a long-lived tensor (weights, cached vision
 * features, a prompt's mask) is the first operand of a per-call op, the result would outlive the call. These
 * helpers give such a tensor a handle owned by the call's manager first.
 */
public final class Handles {
    private Handles() { }

    /**
     * {@code x} itself when it already belongs to {@code manager}, else a view of it (same storage, no copy for
     * contiguous tensors) owned by {@code manager}, so every op on it allocates there.
     */
    public static NDArray rebind(NDArray x, NDManager manager) {
        if (x == null || x.getManager() == manager) {
            return x;
        }
        NDArray view = x.reshape(x.getShape());                               // same shape, a view
        view.attach(manager);
        return view;
    }
}
