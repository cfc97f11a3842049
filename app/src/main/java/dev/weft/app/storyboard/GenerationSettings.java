package dev.weft.app.storyboard;

import dev.weft.app.project.Project;
import dev.weft.app.project.Recipe;
import dev.weft.engine.config.GenerationDefaults;
import dev.weft.engine.diffusion.schedulers.SchedulerKind;
import dev.weft.engine.pipeline.SamplingOptions;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;

import java.util.List;

/**
 * The generation settings of the storyboard (saved with the project). Text sampling uses the loaded model's
 * preferences ({@code generation.json} in its folder), else MM-Interleaved's values.
 *
 * <p>Steps, guidance, sampler and the most tokens shown <em>follow the model</em> (its preferences, applied again
 * whenever a model loads) until a project brings its own settings (all four) or the user changes one (that one);
 * a new project, or one saved without settings, follows the model again.
 */
public final class GenerationSettings {
    static final long DEFAULT_SEED = 42;
    private static final GenerationDefaults NO_MODEL = GenerationDefaults.MM_INTERLEAVED;

    private volatile GenerationDefaults model = NO_MODEL;
    /** The settings among steps, guidance, sampler, tokens that a project or the user chose (not the model). */
    private final java.util.Set<javafx.beans.property.Property<?>> pinned = new java.util.HashSet<>();
    private boolean applying;

    private final LongProperty seed = new SimpleLongProperty(this, "seed", DEFAULT_SEED);
    /** A new seed for every Continue (the seed used is written back to {@link #seedProperty()}). */
    private final BooleanProperty randomSeed = new SimpleBooleanProperty(this, "randomSeed", true);
    private final IntegerProperty steps = new SimpleIntegerProperty(this, "steps", NO_MODEL.steps());
    private final DoubleProperty guidance = new SimpleDoubleProperty(this, "guidance", NO_MODEL.guidance());
    private final ObjectProperty<SchedulerKind> scheduler = new SimpleObjectProperty<>(this, "scheduler",
            schedulerOf(NO_MODEL));
    private final IntegerProperty maxTokens = new SimpleIntegerProperty(this, "maxTokens", NO_MODEL.maxNewTokens());
    private final IntegerProperty imagesPerContinue = new SimpleIntegerProperty(this, "imagesPerContinue", 1);

    public GenerationSettings() {
        for (javafx.beans.property.Property<?> p : List.of(steps, guidance, scheduler, maxTokens)) {
            p.addListener((o, a, b) -> {
                if (!applying) {
                    pinned.add(p);
                }
            });
        }
    }

    public LongProperty seedProperty() {
        return seed;
    }

    public BooleanProperty randomSeedProperty() {
        return randomSeed;
    }

    public IntegerProperty stepsProperty() {
        return steps;
    }

    public DoubleProperty guidanceProperty() {
        return guidance;
    }

    public ObjectProperty<SchedulerKind> schedulerProperty() {
        return scheduler;
    }

    public IntegerProperty maxTokensProperty() {
        return maxTokens;
    }

    public IntegerProperty imagesPerContinueProperty() {
        return imagesPerContinue;
    }

    /**
     * Takes a newly loaded model's preferences: its text sampling from now on, and, while the settings follow the
     * model (see the class comment), its steps, guidance, sampler and most tokens as the settings shown.
     */
    public void useModelDefaults(GenerationDefaults d) {
        this.model = d;
        showModelDefaults();
    }

    private static SchedulerKind schedulerOf(GenerationDefaults d) {
        try {
            return SchedulerKind.parse(d.scheduler());
        } catch (IllegalArgumentException | NullPointerException e) {
            return SchedulerKind.DDPM;
        }
    }

    /** The loaded model's preferences (MM-Interleaved's while none is loaded). */
    public GenerationDefaults modelDefaults() {
        return model;
    }

    /** True while steps, guidance, sampler and most tokens are all the model's preferences. */
    public boolean followsModel() {
        return pinned.isEmpty();
    }

    /** Shows the model's preferences in the settings nobody chose. */
    private void showModelDefaults() {
        GenerationDefaults d = model;
        applying = true;
        try {
            if (!pinned.contains(steps)) {
                steps.set(Math.max(1, d.steps()));
            }
            if (!pinned.contains(guidance)) {
                guidance.set(d.guidance());
            }
            if (!pinned.contains(scheduler)) {
                scheduler.set(schedulerOf(d));
            }
            if (!pinned.contains(maxTokens)) {
                maxTokens.set(Math.max(1, d.maxNewTokens()));
            }
        } finally {
            applying = false;
        }
    }

    /** Options for a Continue with this seed. */
    SamplingOptions options(long s) {
        return options(s, steps.get(), (float) guidance.get(), scheduler.get(), maxTokens.get())
                .withMaxImages(Math.max(0, imagesPerContinue.get()));
    }

    SamplingOptions options(long s, int steps, float guidance, SchedulerKind k, int maxTokens) {
        int max = Math.max(1, maxTokens);
        dev.weft.engine.config.GenerationDefaults d = model;
        return SamplingOptions.defaults().withSeed(s).withSteps(Math.max(1, steps)).withGuidance(Math.max(0, guidance))
                .withScheduler(k).withText(d.temperature(), d.topP(), d.repetitionPenalty(),
                        Math.min(d.minNewTokens(), max), max);
    }

    /** Options that re-make a recipe with another seed. */
    SamplingOptions options(Recipe r, long s) {
        SchedulerKind k;
        try {
            k = SchedulerKind.valueOf(r.scheduler());
        } catch (IllegalArgumentException | NullPointerException e) {
            k = schedulerOf(model);
        }
        return options(s, r.steps(), r.guidance(), k, r.maxTokens() > 0 ? r.maxTokens() : model.maxNewTokens());
    }

    Project.Settings toData() {
        return new Project.Settings(seed.get(), randomSeed.get(), steps.get(), (float) guidance.get(),
                scheduler.get().name(), maxTokens.get(), imagesPerContinue.get());
    }

    /**
     * A project's settings; {@code null} (a new project, or a file saved without settings) takes the loaded model's
     * preferences and follows the model from then on.
     */
    void apply(Project.Settings s) {
        if (s == null) {
            seed.set(DEFAULT_SEED);
            randomSeed.set(true);
            imagesPerContinue.set(1);
            pinned.clear();
            showModelDefaults();
            return;
        }
        applying = true;
        try {
            seed.set(s.seed());
            randomSeed.set(s.randomSeed());
            steps.set(Math.max(1, s.steps()));
            guidance.set(s.guidance());
            try {
                scheduler.set(SchedulerKind.valueOf(s.scheduler()));
            } catch (IllegalArgumentException | NullPointerException e) {
                scheduler.set(schedulerOf(model));
            }
            maxTokens.set(Math.max(1, s.maxTokens()));
            imagesPerContinue.set(Math.max(0, s.imagesPerContinue()));
        } finally {
            applying = false;
        }
        pinned.addAll(List.of(steps, guidance, scheduler, maxTokens));
    }
}
