package dev.weft.engine.weights;

/** A weights file or directory that cannot be used: the message names the file and the problem. */
public class WeightsException extends RuntimeException {
    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
