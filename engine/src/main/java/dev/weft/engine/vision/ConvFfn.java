package dev.weft.engine.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import dev.weft.engine.nn.Conv2d;
import dev.weft.engine.nn.Init;
import dev.weft.engine.nn.Linear;
import dev.weft.engine.nn.Ops;
import dev.weft.engine.nn.WeightPath;

/**
 * The adapter's convolutional FFN ({@code ConvFFN} + {@code DWConv} in {@code MMI: adapter_modules.py}):
 * fc1, a 3x3 depthwise conv applied separately to each pyramid level's token map, exact GELU, fc2.
 *
 * <p>Dimensions: B batch, N = 21/4 G^2 pyramid tokens (c2 (2G)^2, c3 G^2, c4 (G/2)^2 concatenated), C width,
 * F = C * cffn_ratio hidden width, G patch grid.
 *
 * <p>Parameters: {@code fc1} (F, C), {@code dwconv.dwconv} (F, 1, 3, 3), {@code fc2} (C, F), all with biases.
 */
final class ConvFfn {
    private final Linear fc1;
    private final Conv2d dwconv;
    private final Linear fc2;
    private final long hidden;

    ConvFfn(WeightPath p, long dim, long hidden) {
        this.hidden = hidden;
        this.fc1 = new Linear(p.pp("fc1"), dim, hidden, true);
        this.dwconv = new Conv2d(p.pp("dwconv").pp("dwconv"), hidden, hidden, 3, 1, 1, (int) hidden, true,
                Init.DEFAULT);
        this.fc2 = new Linear(p.pp("fc2"), hidden, dim, true);
    }

    /** x: (B, N, C) to (B, N, C). */
    NDArray forward(NDArray x, int g) {
        long b = x.getShape().get(0);
        // 1. fc1
        NDArray h = fc1.forward(x);                                                  // (B, N, F)
        // 2. depthwise conv on each level's map (the reference splits N as 16n, 4n, n with n = N / 21)
        NDList parts = new NDList();
        long start = 0;
        for (long side : new long[] {2L * g, g, g / 2}) {
            NDArray m = h.get(":, " + start + ":" + (start + side * side))            // (B, side^2, F)
                    .transpose(0, 2, 1).reshape(b, hidden, side, side);               // (B, F, side, side)
            parts.add(dwconv.forward(m).reshape(b, hidden, side * side)              // (B, F, side^2)
                    .transpose(0, 2, 1));                                            // (B, side^2, F)
            start += side * side;
        }
        h = NDArrays.concat(parts, 1);                                               // (B, N, F)
        // 3. GELU (exact, nn.GELU default) and fc2
        return fc2.forward(Ops.gelu(h));                                             // (B, N, C)
    }
}
