package dev.weft.engine.llm;

import ai.djl.ndarray.NDArray;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.WeightPath;

/**
 * LLaMA's SwiGLU MLP ({@code LlamaMLP}): {@code down(silu(gate(x)) * up(x))}.
 *
 * <p>Dimensions: D width, F intermediate width. Parameters: {@code gate_proj}, {@code up_proj} (F, D),
 * {@code down_proj} (D, F), no biases.
 */
public final class LlamaMlp {
    public final Linear gateProj;
    public final Linear upProj;
    public final Linear downProj;

    public LlamaMlp(WeightPath p, int hidden, int intermediate) {
        this.gateProj = new Linear(p.pp("gate_proj"), hidden, intermediate, false);
        this.upProj = new Linear(p.pp("up_proj"), hidden, intermediate, false);
        this.downProj = new Linear(p.pp("down_proj"), intermediate, hidden, false);
    }

    /** (..., D) to (..., D). */
    public NDArray forward(NDArray x) {
        return downProj.forward(Ops.silu(gateProj.forward(x)).mul(upProj.forward(x)));
    }
}
