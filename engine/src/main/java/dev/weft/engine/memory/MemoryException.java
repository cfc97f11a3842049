package dev.weft.engine.memory;

/** The model does not fit in the memory available; the message says how much it needs and how much there is. */
public class MemoryException extends RuntimeException {
    public MemoryException(String message) {
        super(message);
    }
}
