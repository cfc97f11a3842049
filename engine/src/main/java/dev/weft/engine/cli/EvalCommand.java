package dev.weft.engine.cli;

import ai.djl.ndarray.NDManager;
import dev.weft.engine.Engine;
import dev.weft.engine.config.GenerationDefaults;
import dev.weft.engine.diffusion.schedulers.SchedulerKind;
import dev.weft.engine.eval.EvalNet;
import dev.weft.engine.eval.EvalRunner;
import dev.weft.engine.eval.EvalTable;
import dev.weft.engine.eval.MmfsAblation;
import dev.weft.engine.eval.SceneReader;
import dev.weft.engine.pipeline.SamplingOptions;
import dev.weft.engine.weights.SafetensorsFile;
import dev.weft.engine.weights.SafetensorsWeights;
import dev.weft.engine.weights.WeightSource;
import dev.weft.engine.weights.WeightsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code weft eval}: scores a model on held-out samples of the procedural world with evaluators trained on
 * ground-truth renders only, and prints the table (see {@link EvalRunner} for the tasks and metrics).
 */
@Command(name = "eval", description = "Score the model on held-out samples of the procedural world (text->image, "
        + "segment->image, style->image, image->text, story continuation), also with MMFS switched off, against ground "
        + "truth (ceiling) and random (floor). See docs/evaluation.md.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = {"-n", "--count"}, defaultValue = "20",
            description = "Samples per task (default ${DEFAULT-VALUE}; a few for a quick check).")
    int count;

    @Option(names = "--seed", defaultValue = "1000",
            description = "Held-out world data set seed, >= 1000 (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--story-frames", defaultValue = "2",
            description = "Frames generated per story (default ${DEFAULT-VALUE}).")
    int storyFrames;

    @Option(names = "--no-ablation", description = "Skip the MMFS-off model (saves loading a second copy).")
    boolean noAblation;

    @Option(names = "--evaluator", paramLabel = "FILE",
            description = "Evaluator weights (default: <weft home>/assets/evaluators/evalnet.safetensors).")
    Path evaluator;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the scores as JSON.")
    Path json;

    @Option(names = "--sampling-seed", defaultValue = "42",
            description = "Sampling seed of sample 0 (sample i uses it + i). Default ${DEFAULT-VALUE}.")
    long samplingSeed;
    @Option(names = "--steps", description = "Denoising steps. Default: the model's generation.json, else 30.")
    Integer steps;
    @Option(names = "--guidance", description = "Classifier-free guidance. Default: the model's generation.json, else 7.5.")
    Float guidance;
    @Option(names = "--scheduler", description = "ddpm, ddim or dpm++. Default: the model's generation.json, else ddpm.")
    String scheduler;
    @Option(names = "--temperature", defaultValue = "0", description = "Text temperature (0 = greedy). Default ${DEFAULT-VALUE}.")
    float temperature;
    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus mass. Default ${DEFAULT-VALUE}.")
    float topP;
    @Option(names = "--repetition-penalty", defaultValue = "1.0",
            description = "Default ${DEFAULT-VALUE} (off: captions repeat 'a', 'the', 'at').")
    float repetitionPenalty;
    @Option(names = "--max-tokens", defaultValue = "60", description = "Per caption or story sentence run. Default ${DEFAULT-VALUE}.")
    int maxTokens;

    @Mixin
    Common.ModelOptions model = new Common.ModelOptions();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    static Path defaultEvaluator() {
        return Path.of(System.getProperty("weft.home", ".")).resolve("assets/evaluators/evalnet.safetensors");
    }

    @Override
    public Integer call() throws Exception {
        // the painting follows the model's own preferences (generation.json) unless given; text is greedy
        GenerationDefaults d = new GenerationDefaults(null, null, null, null, null, null, steps, guidance, scheduler)
                .orElse(GenerationDefaults.read(model.modelDir()));
        SamplingOptions so = new SamplingOptions(temperature, topP, repetitionPenalty, 1, maxTokens, samplingSeed,
                d.steps(), d.guidance(), SchedulerKind.parse(d.scheduler()), 1);
        EvalRunner.Options opts = new EvalRunner.Options(seed, count, storyFrames, so);
        Path evalFile = evaluator != null ? evaluator : defaultEvaluator();
        if (!Files.isRegularFile(evalFile)) {
            throw new WeightsException(evalFile + ": evaluator weights not found");
        }
        String evalInfo;
        try (SafetensorsFile f = SafetensorsFile.open(evalFile)) {
            evalInfo = f.metadata().getOrDefault("held_out", "");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (NDManager m = NDManager.newBaseManager(model.djlDevice());
             WeightSource w = SafetensorsWeights.open(evalFile);
             Engine engine = model.load(System.err);
             Engine ablated = noAblation ? null : loadAblated();
             SceneReader reader = new SceneReader(EvalNet.load(w, m), m)) {
            out.printf(Locale.ROOT, "weft eval: model %s (%s), evaluator %s%n", model.modelDir(), engine.modelId(),
                    evalFile.getFileName());
            if (!evalInfo.isEmpty()) {
                out.println("evaluator on held-out ground truth (seed 600): " + evalInfo.replaceAll(", \"iou\".*}", "}"));
            }
            out.printf(Locale.ROOT, "held-out world seed %d, %d samples per task, %d story frames; %d %s steps, "
                            + "guidance %.1f, temperature %.1f, sampling seed %d%s%n", seed, count, storyFrames, so.steps(),
                    so.scheduler().name().toLowerCase(Locale.ROOT), so.guidance(), temperature, samplingSeed,
                    noAblation ? "; MMFS-off column skipped" : "");
            out.flush();
            long t0 = System.nanoTime();
            EvalRunner runner = new EvalRunner(reader, opts, s -> System.err.println("weft eval: " + s),
                    Common.cancelOnCtrlC());
            EvalRunner.Report report = runner.run(engine, ablated);
            out.print(EvalTable.format(report));
            out.printf(Locale.ROOT, "(%.0f s)%n", (System.nanoTime() - t0) / 1e9);
            out.flush();
            if (json != null) {
                Path parent = json.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Files.writeString(json, EvalTable.json(report, engine.modelId(), evalFile.getFileName().toString()));
                System.err.println("weft eval: wrote " + json);
            }
        }
        return 0;
    }

    private Engine loadAblated() {
        System.err.println("weft: loading " + model.modelDir() + " with MMFS off");
        return MmfsAblation.load(model.modelDir(), model.djlDevice(), model.precision());
    }
}
