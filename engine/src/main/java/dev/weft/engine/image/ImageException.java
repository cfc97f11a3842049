package dev.weft.engine.image;

/** An image that cannot be read or used; the message names the file. */
public class ImageException extends IllegalArgumentException {
    public ImageException(String message) {
        super(message);
    }
}
