package dev.weft.app.storyboard;

import dev.weft.app.project.Project;
import dev.weft.app.project.Recipe;
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

/**
 * The generation settings of the storyboard (saved with the project). Text sampling uses the loaded model's
 * preferences ({@code generation.json} in its folder), else MM-Interleaved's values.
 */
public final class GenerationSettings {
    private volatile dev.weft.engine.config.GenerationDefaults model =
            dev.weft.engine.config.GenerationDefaults.MM_INTERLEAVED;

    private final LongProperty seed = new SimpleLongProperty(this, "seed", 42);
    /** A new seed for every Continue (the seed used is written back to {@link #seedProperty()}). */
    private final BooleanProperty randomSeed = new SimpleBooleanProperty(this, "randomSeed", true);
    private final IntegerProperty steps = new SimpleIntegerProperty(this, "steps", 20);
    private final DoubleProperty guidance = new SimpleDoubleProperty(this, "guidance", 7.5);
    private final ObjectProperty<SchedulerKind> scheduler = new SimpleObjectProperty<>(this, "scheduler",
            SchedulerKind.DDPM);
    private final IntegerProperty maxTokens = new SimpleIntegerProperty(this, "maxTokens", 40);
    private final IntegerProperty imagesPerContinue = new SimpleIntegerProperty(this, "imagesPerContinue", 1);

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
     * Takes a newly loaded model's preferences: its text sampling from now on, and its steps, guidance and sampler
     * as the settings shown (the user may change them afterwards).
     */
    public void useModelDefaults(dev.weft.engine.config.GenerationDefaults d) {
        this.model = d;
        steps.set(d.steps());
        guidance.set(d.guidance());
        scheduler.set(SchedulerKind.parse(d.scheduler()));
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
        } catch (IllegalArgumentException e) {
            k = SchedulerKind.DDPM;
        }
        return options(s, r.steps(), r.guidance(), k, r.maxTokens() > 0 ? r.maxTokens() : 40);
    }

    Project.Settings toData() {
        return new Project.Settings(seed.get(), randomSeed.get(), steps.get(), (float) guidance.get(),
                scheduler.get().name(), maxTokens.get(), imagesPerContinue.get());
    }

    void apply(Project.Settings s) {
        seed.set(s.seed());
        randomSeed.set(s.randomSeed());
        steps.set(Math.max(1, s.steps()));
        guidance.set(s.guidance());
        try {
            scheduler.set(SchedulerKind.valueOf(s.scheduler()));
        } catch (IllegalArgumentException | NullPointerException e) {
            scheduler.set(SchedulerKind.DDPM);
        }
        maxTokens.set(Math.max(1, s.maxTokens()));
        imagesPerContinue.set(Math.max(0, s.imagesPerContinue()));
    }
}
