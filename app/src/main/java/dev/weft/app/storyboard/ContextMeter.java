package dev.weft.app.storyboard;

import dev.weft.app.common.UiThread;
import dev.weft.app.service.EngineService;
import dev.weft.engine.Engine;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.pipeline.Document;
import javafx.beans.value.ChangeListener;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How much of the model's context the story up to the selected cell takes, as the engine will read it
 * ({@code <s>}, each text's tokens, {@code 1 + K} per picture), against the model's limits
 * ({@code llm.max_positions}; {@code max_images - 1} pictures), and whether a Continue with the current settings
 * still fits. The engine refuses a document over its limits before any work; this shows it coming. Recomputed
 * (coalesced, on the UI thread) when cells, texts, the selection, the settings or the model change; token counts
 * are cached per text.
 */
public final class ContextMeter {
    /** How close to the limit. */
    public enum Level { OK, TIGHT, OVER }

    /**
     * @param tokens           tokens of the story up to the selection
     * @param pictures         pictures in it
     * @param continueTokens   what a Continue with the current settings may add, at most
     * @param continuePictures pictures a Continue adds to the sequence before its last one
     */
    public record Usage(int tokens, int maxTokens, int pictures, int maxPictures, int continueTokens,
                        int continuePictures) {
        public Level level() {
            if (tokens > maxTokens || pictures > maxPictures) {
                return Level.OVER;
            }
            if (tokens + continueTokens > maxTokens || pictures + continuePictures > maxPictures
                    || tokens > 0.85 * maxTokens) {
                return Level.TIGHT;
            }
            return Level.OK;
        }

        /** "Context 120 / 512 tokens · 2 / 7 pictures". */
        public String summary() {
            return "Context " + tokens + " / " + maxTokens + " tokens · " + pictures + " / " + maxPictures
                    + (maxPictures == 1 ? " picture" : " pictures");
        }

        public String explanation() {
            String base = "The story up to the selected cell, as the model reads it. ";
            return switch (level()) {
                case OVER -> base + "It is longer than this model can read: Continue and Regenerate will fail. "
                        + "Select an earlier cell to continue from there, or shorten the story.";
                case TIGHT -> base + "A Continue may add up to " + continueTokens + " tokens and does not fit in "
                        + "full: it will stop with an error when the context is full. Fewer Tokens or Pictures, or "
                        + "an earlier cell, leave more room.";
                case OK -> base + "A Continue may add up to " + continueTokens + " tokens.";
            };
        }
    }

    private static final int CACHE = 512;

    private final StoryboardViewModel story;
    private final EngineService engine;
    private final UiThread ui;
    private final ReadOnlyObjectWrapper<Usage> usage = new ReadOnlyObjectWrapper<>(this, "usage");
    private final Map<String, Integer> counts = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> e) {
            return size() > CACHE;
        }
    };
    private Engine countedWith;
    private boolean pending;

    ContextMeter(StoryboardViewModel story, EngineService engine, UiThread ui) {
        this.story = story;
        this.engine = engine;
        this.ui = ui;
        // change listeners, not invalidation listeners: those go quiet until someone reads the value again
        ChangeListener<Object> changed = (o, a, b) -> invalidate();
        story.cells().addListener((ListChangeListener<CellViewModel>) ch -> {
            while (ch.next()) {
                for (CellViewModel c : ch.getRemoved()) {
                    c.textProperty().removeListener(changed);
                    c.imageProperty().removeListener(changed);
                    c.generatingProperty().removeListener(changed);
                }
                for (CellViewModel c : ch.getAddedSubList()) {
                    c.textProperty().addListener(changed);
                    c.imageProperty().addListener(changed);
                    c.generatingProperty().addListener(changed);
                }
            }
            invalidate();
        });
        story.selectedProperty().addListener(changed);
        engine.stateProperty().addListener(changed);
        GenerationSettings s = story.settings();
        s.maxTokensProperty().addListener(changed);
        s.imagesPerContinueProperty().addListener(changed);
        invalidate();
    }

    /** The usage now; null while no model is loaded. */
    public ReadOnlyObjectProperty<Usage> usageProperty() {
        return usage.getReadOnlyProperty();
    }

    public Usage getUsage() {
        return usage.get();
    }

    /** Schedules one recount for all changes made until it runs. */
    void invalidate() {
        if (pending) {
            return;
        }
        pending = true;
        ui.post(() -> {
            pending = false;
            Usage u;
            try {
                u = measure();
            } catch (RuntimeException e) {
                u = null; // the engine is closing: no meter
            }
            usage.set(u);
        });
    }

    private Usage measure() {
        if (!engine.isReady()) {
            return null;
        }
        Engine e;
        try {
            e = engine.engine();
        } catch (IllegalStateException notLoaded) {
            return null;
        }
        if (e != countedWith) {
            counts.clear();
            countedWith = e;
        }
        Document doc = StoryboardViewModel.documentOf(story.contextUpTo(story.getSelected(), true));
        ModelConfig cfg = e.config();
        int k = cfg.numImageTokens();
        int tokens = 1; // <s>
        int pictures = 0;
        for (Document.Item item : doc.items()) {
            if (item instanceof Document.Text t) {
                tokens += counts.computeIfAbsent(t.text(), x -> e.tokenizer().encode(x).size());
            } else {
                tokens += 1 + k;
                pictures++;
            }
        }
        GenerationSettings s = story.settings();
        int p = Math.max(0, s.imagesPerContinueProperty().get());
        int t = Math.max(1, s.maxTokensProperty().get());
        // per picture: its text, <|beginofimage|>, and (all but the last) its K image tokens
        int more = p == 0 ? t : p * (t + 1) + (p - 1) * k;
        return new Usage(tokens, cfg.llm().maxPositions(), pictures, cfg.llm().mmfs().maxImages() - 1, more,
                Math.max(0, p - 1));
    }
}
