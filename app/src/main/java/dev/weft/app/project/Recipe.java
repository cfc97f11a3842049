package dev.weft.app.project;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * How a generated cell was made, enough to make it again: the mode, the cells it read (ids and a short summary),
 * the prompt, the sampling settings and the model.
 *
 * @param mode           the engine call
 * @param contextCellIds the cells that were read, in order
 * @param context        a readable summary of them ("2 text cells, 1 image")
 * @param prompt         the text the model continued from (the last text cell of the context), or the prompt
 * @param seed           same seed, same settings, same context: same result
 * @param createdAt      epoch milliseconds
 * @param reference      the style reference picture ({@link Mode#STYLE_TO_IMAGE}), else null
 */
public record Recipe(Mode mode, List<String> contextCellIds, String context, String prompt, long seed, int steps,
                     float guidance, String scheduler, int maxTokens, String modelId, long createdAt,
                     BufferedImage reference) {
    /** The engine call a cell came from. */
    public enum Mode {
        /** {@code Engine.continueDocument}: the story so far, continued. */
        CONTINUE,
        /** {@code Engine.textToImage}. */
        TEXT_TO_IMAGE,
        /** {@code Engine.styleToImage}. */
        STYLE_TO_IMAGE,
        /** {@code Engine.segmentToImage}. */
        SEGMENT_TO_IMAGE,
        /** {@code Engine.caption}. */
        CAPTION
    }

    public Recipe {
        contextCellIds = contextCellIds == null ? List.of() : List.copyOf(contextCellIds);
        context = context == null ? "" : context;
        prompt = prompt == null ? "" : prompt;
        scheduler = scheduler == null ? "DDPM" : scheduler;
        modelId = modelId == null ? "" : modelId;
        if (mode == null) {
            throw new IllegalArgumentException("recipe: expected a mode, found none");
        }
    }

    public Recipe(Mode mode, List<String> contextCellIds, String context, String prompt, long seed, int steps,
                  float guidance, String scheduler, int maxTokens, String modelId, long createdAt) {
        this(mode, contextCellIds, context, prompt, seed, steps, guidance, scheduler, maxTokens, modelId, createdAt,
                null);
    }

    public Recipe withSeed(long s) {
        return new Recipe(mode, contextCellIds, context, prompt, s, steps, guidance, scheduler, maxTokens, modelId,
                createdAt, reference);
    }

    /** Equal apart from the reference picture's identity (pictures compare by pixels elsewhere). */
    public boolean sameSettings(Recipe o) {
        return o != null && mode == o.mode && contextCellIds.equals(o.contextCellIds) && context.equals(o.context)
                && prompt.equals(o.prompt) && seed == o.seed && steps == o.steps && guidance == o.guidance
                && scheduler.equals(o.scheduler) && maxTokens == o.maxTokens && modelId.equals(o.modelId)
                && createdAt == o.createdAt && (reference == null) == (o.reference == null);
    }
}
