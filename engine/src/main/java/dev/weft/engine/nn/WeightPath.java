package dev.weft.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * A dotted prefix into the checkpoint's name space ({@code mm_decoder.layers.4.llama_cross_attn}). Blocks
 * receive one and resolve their own parameters relative to it, so names in Java match the checkpoint's. A path
 * marked {@link #fp32()} makes its parameters (and its children's) in fp32 whatever the registry's type.
 */
public record WeightPath(Params params, String prefix, boolean forceFp32) {

    public WeightPath(Params params, String prefix) {
        this(params, prefix, false);
    }

    public WeightPath pp(String child) {
        return new WeightPath(params, full(child), forceFp32);
    }

    /** This path with every parameter under it made in fp32 (for a block that computes in fp32). */
    public WeightPath fp32() {
        return new WeightPath(params, prefix, true);
    }

    public WeightPath pp(int index) {
        return pp(Integer.toString(index));
    }

    public String full(String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    /** The floating type of the parameters made under this path. */
    public DataType dataType() {
        return forceFp32 ? DataType.FLOAT32 : params.dataType();
    }

    public NDArray get(String name, long... shape) {
        return get(name, Init.DEFAULT, shape);
    }

    public NDArray get(String name, Init init, long... shape) {
        return params.get(full(name), init, dataType(), shape);
    }

    @Override
    public String toString() {
        return prefix;
    }
}
