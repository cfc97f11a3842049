package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;

/** torch.nn.Embedding. Parameter: {@code weight} (num, dim); rows come out in its type. */
public final class Embedding {
    public final NDArray weight; // (num, dim)
    public final long num;
    public final long dim;

    public Embedding(WeightPath p, long num, long dim) {
        this.num = num;
        this.dim = dim;
        this.weight = p.get("weight", Init.normal(0.02f), num, dim);
    }

    /** ids of any shape (int64) to (..., dim). */
    public NDArray forward(NDArray ids) {
        NDArray flat = ids.flatten();
        NDArray rows = weight.get(flat); // (n, dim)
        long[] shape = new long[ids.getShape().dimension() + 1];
        System.arraycopy(ids.getShape().getShape(), 0, shape, 0, shape.length - 1);
        shape[shape.length - 1] = dim;
        return rows.reshape(shape);
    }
}
