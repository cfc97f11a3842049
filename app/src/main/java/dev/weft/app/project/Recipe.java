package dev.weft.app.project;

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
 */
public record Recipe(Mode mode, List<String> contextCellIds, String context, String prompt, long seed, int steps,
                     float guidance, String scheduler, int maxTokens, String modelId, long createdAt) {
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

    public Recipe withSeed(long s) {
        return new Recipe(mode, contextCellIds, context, prompt, s, steps, guidance, scheduler, maxTokens, modelId,
                createdAt);
    }
}
