package dev.weft.engine.cli;

import ai.djl.Device;
import dev.weft.engine.Engine;
import dev.weft.engine.Precision;
import dev.weft.engine.memory.MemoryPlan;
import dev.weft.engine.diffusion.schedulers.SchedulerKind;
import dev.weft.engine.pipeline.CancellationToken;
import dev.weft.engine.pipeline.GenerationListener;
import dev.weft.engine.pipeline.SamplingOptions;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Option;

import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.Supplier;

/** Options and helpers shared by the commands. */
final class Common {
    private Common() { }

    /** The bundled model: {@code -Dweft.model}, {@code $WEFT_MODEL}, else {@code <weft.home>/assets/weft-small}. */
    static Path defaultModel() {
        String p = System.getProperty("weft.model", System.getenv("WEFT_MODEL"));
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        return Path.of(System.getProperty("weft.home", ".")).resolve("assets/weft-small");
    }

    /** {@code --model}, {@code --device} and {@code --dtype}. */
    static final class ModelOptions {
        @Option(names = "--model", paramLabel = "DIR",
                description = "Model folder (config.json, tokenizer.json, *.safetensors or pytorch_model*.bin). "
                        + "Default: the bundled model.")
        Path model;

        @Option(names = "--device", paramLabel = "cpu|gpu", defaultValue = "cpu",
                description = "Where to compute (default: ${DEFAULT-VALUE}); gpu needs DJL with a CUDA libtorch "
                        + "(docs/gpu-guide.md).")
        String device;

        @Option(names = "--dtype", paramLabel = "fp32|fp16",
                description = "Precision of the weights and compute. Default: fp16 with --device gpu (matmuls, "
                        + "convolutions and attention in half precision; norms, softmax, scheduler, logits and the VAE "
                        + "in fp32), fp32 on the cpu (fp16 runs there too, slowly: for tests).")
        String dtype;

        @Option(names = "--verbose", description = "Print every problem and stack traces.")
        boolean verbose;

        Path modelDir() {
            return model != null ? model : defaultModel();
        }

        /** The device asked for; {@code gpu} needs a CUDA GPU visible to DJL (else a one-line error, exit 2). */
        Device djlDevice() {
            return dev.weft.engine.Devices.resolve(device);
        }

        /** {@code --dtype}, else fp16 for {@code --device gpu} and fp32 for the cpu (no GPU needed to say which). */
        Precision precision() {
            return dtype != null ? Precision.parse(dtype) : Precision.defaultFor(MemoryPlan.Target.parse(device));
        }

        Engine load(PrintStream log) {
            Path dir = modelDir();
            Device d = djlDevice();
            Precision p = precision();
            log.println("weft: loading " + dir + " on " + d + " in " + p);
            if (p == Precision.FP16 && !d.isGpu()) {
                log.println("weft: warning: fp16 on the CPU is slow (libtorch's CPU kernels are made for fp32); "
                        + "it is meant for tests");
            }
            return Engine.load(dir, d, p);
        }
    }

    /** Sampling options; each one left out takes the model's default ({@code generation.json}, else MM-Interleaved's). */
    static final class Sampling {
        @Option(names = "--seed", defaultValue = "42", description = "Seed (same seed, same result). Default ${DEFAULT-VALUE}.")
        long seed;
        @Option(names = "--steps", description = "Denoising steps (MM-Interleaved: 30).")
        Integer steps;
        @Option(names = "--guidance", description = "Classifier-free guidance (MM-Interleaved: 7.5).")
        Float guidance;
        @Option(names = "--scheduler", description = "ddpm, ddim or dpm++ (MM-Interleaved: ddpm).")
        String scheduler;
        @Option(names = "--temperature", description = "Text temperature, 0 = greedy (MM-Interleaved: 1).")
        Float temperature;
        @Option(names = "--top-p", description = "Nucleus mass (MM-Interleaved: 0.9).")
        Float topP;
        @Option(names = "--repetition-penalty", description = "MM-Interleaved: 1.3.")
        Float repetitionPenalty;
        @Option(names = "--min-tokens", description = "End tokens are suppressed before this many (MM-Interleaved: 8).")
        Integer minTokens;
        @Option(names = "--max-tokens", description = "At most this many tokens of text per passage (MM-Interleaved: 90).")
        Integer maxTokens;

        /** The options given, the model's defaults for the rest. */
        SamplingOptions options(dev.weft.engine.config.GenerationDefaults model, int maxImages) {
            dev.weft.engine.config.GenerationDefaults d = new dev.weft.engine.config.GenerationDefaults(null,
                    temperature, topP, repetitionPenalty, minTokens, maxTokens, steps, guidance, scheduler)
                    .orElse(model);
            int max = d.maxNewTokens();
            int min = minTokens != null ? minTokens : Math.min(d.minNewTokens(), max);
            return new SamplingOptions(d.temperature(), d.topP(), d.repetitionPenalty(), min, max, seed, d.steps(),
                    d.guidance(), SchedulerKind.parse(d.scheduler()), maxImages);
        }
    }

    /** A listener that draws a progress bar per image on stderr and streams text to {@code text}. */
    static final class ConsoleListener implements GenerationListener, AutoCloseable {
        private final PrintStream text;
        private ProgressBar bar;
        private String phase = "painting";

        ConsoleListener(PrintStream text) {
            this.text = text;
        }

        @Override
        public void onPhase(String p) {
            phase = p;
        }

        @Override
        public void onToken(int tokenId, String t) {
            if (text != null) {
                text.print(t);
                text.flush();
            }
        }

        @Override
        public void onImageStep(int step, int total, Supplier<BufferedImage> preview) {
            if (bar == null) {
                if (text != null) {
                    text.println();
                }
                bar = new ProgressBarBuilder().setTaskName(phase).setInitialMax(total)
                        .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
                        .build();
            }
            bar.stepTo(step);
            if (step == total) {
                bar.close();
                bar = null;
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }

    /** One picture from a loaded engine, for {@link #paintToPng}. */
    @FunctionalInterface
    interface Painter {
        BufferedImage paint(dev.weft.engine.Engine engine, SamplingOptions o, GenerationListener l,
                            CancellationToken cancel);
    }

    /** Loads the model, paints one picture with a progress bar, and writes it as a PNG. */
    static void paintToPng(ModelOptions model, Sampling sampling, Path out, Painter painter) throws java.io.IOException {
        try (dev.weft.engine.Engine engine = model.load(System.err); var l = new ConsoleListener(null)) {
            SamplingOptions opts = sampling.options(engine.generationDefaults(), 1);
            BufferedImage img = painter.paint(engine, opts, l, cancelOnCtrlC());
            dev.weft.engine.image.Images.writePng(img, out);
            System.err.println("weft: wrote " + out + " (" + img.getWidth() + "x" + img.getHeight() + ")");
        }
    }

    static CancellationToken cancelOnCtrlC() {
        CancellationToken c = new CancellationToken();
        Runtime.getRuntime().addShutdownHook(new Thread(c::cancel));
        return c;
    }
}
