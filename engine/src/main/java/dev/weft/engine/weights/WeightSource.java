package dev.weft.engine.weights;

import java.nio.ByteBuffer;
import java.util.Map;

/** Named tensors, read lazily. Values come back as fp32 whatever the stored type. */
public interface WeightSource extends AutoCloseable {

    /** Every stored tensor by full name. */
    Map<String, TensorInfo> tensors();

    /** The tensor's values as fp32 in a direct, native-order buffer. */
    ByteBuffer float32(String name);

    /**
     * The tensor's values as fp16 in a direct, native-order buffer: by default {@link #float32} converted (one
     * tensor at a time, so the host never holds more than one tensor as fp32); sources holding F16 hand the stored
     * bytes over unconverted.
     */
    default ByteBuffer float16(String name) {
        return DType.F32.toFloat16(float32(name), tensors().get(name).numel());
    }

    /**
     * Where the tensor's raw stored bytes lie, for streaming over them without converting or copying them
     * ({@link TensorScan}); valid until the source is closed. Sources that are not files cannot say.
     */
    default RawTensor rawTensor(String name) {
        throw new WeightsException(describe() + ": raw access to '" + name + "' is not available from this source");
    }

    /** Where the weights came from, for messages. */
    String describe();

    @Override
    void close();

    /** A source with no tensors: models built on it report every parameter missing. */
    static WeightSource empty() {
        return new WeightSource() {
            @Override
            public Map<String, TensorInfo> tensors() {
                return Map.of();
            }

            @Override
            public ByteBuffer float32(String name) {
                throw new WeightsException("no weights: '" + name + "' requested from an empty source");
            }

            @Override
            public String describe() {
                return "(no weights)";
            }

            @Override
            public void close() { }
        };
    }
}
