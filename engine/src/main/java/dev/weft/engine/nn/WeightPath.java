package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;

/**
 * A dotted prefix into the checkpoint's name space ({@code mm_decoder.layers.4.llama_cross_attn}). Blocks
 * receive one and resolve their own parameters relative to it, so names in Java match the checkpoint's.
 */
public record WeightPath(Params params, String prefix) {

    public WeightPath pp(String child) {
        return new WeightPath(params, full(child));
    }

    public WeightPath pp(int index) {
        return pp(Integer.toString(index));
    }

    public String full(String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    public NDArray get(String name, long... shape) {
        return params.get(full(name), Init.DEFAULT, shape);
    }

    public NDArray get(String name, Init init, long... shape) {
        return params.get(full(name), init, shape);
    }

    @Override
    public String toString() {
        return prefix;
    }
}
