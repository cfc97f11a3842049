package dev.weft.engine.pipeline;

import java.awt.image.BufferedImage;
import java.util.function.Supplier;

/**
 * Receives progress from a generation. Called on the generating thread; implementations hand work to their own
 * thread (the studio's ViewModels post to the FX thread). All methods have empty defaults.
 */
public interface GenerationListener {
    GenerationListener NONE = new GenerationListener() { };

    /** A new phase starts ("encoding images", "writing", "painting image 2", ...). */
    default void onPhase(String phase) { }

    /** A new passage of generated text starts (tokens follow). */
    default void onTextStart() { }

    /** The passage ended; {@code text} is its final decoded form (which may differ in spacing from the tokens). */
    default void onTextEnd(String text) { }

    /** Painting of a new image starts; {@code index} is its index among the document's images. */
    default void onImageStart(int index) { }

    /** A text token was sampled; {@code text} is what to append (leading space included). */
    default void onToken(int tokenId, String text) { }

    /**
     * A denoising step finished. {@code preview} decodes the current estimate of the clean image on demand, so
     * listeners that do not show previews pay nothing.
     */
    default void onImageStep(int step, int totalSteps, Supplier<BufferedImage> preview) { }

    /** An image was generated and inserted at {@code index} of the document's images. */
    default void onImage(int index, BufferedImage image) { }
}
