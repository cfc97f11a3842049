package dev.weft.engine.cli;

import dev.weft.engine.Precision;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.memory.MemoryPlan;
import dev.weft.engine.model.MMInterleaved;
import dev.weft.engine.weights.LoadReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code weft info}: config, parameter count and memory estimate, counted without allocating the model. */
@Command(name = "info", description = "Show a model's config, parameter count, memory estimate and the device.")
final class InfoCommand implements Callable<Integer> {
    @Option(names = "--preset", paramLabel = "NAME", description = "A built-in config: tiny or mm-interleaved-13b.")
    String preset;

    @Mixin
    Common.ModelOptions model = new Common.ModelOptions();

    @Option(names = "--tokens", paramLabel = "N", description = "Document length of the memory plan (default: 1024, "
            + "or the model's context when shorter).")
    Integer tokens;

    @Option(names = "--images", paramLabel = "N", description = "Images in that document (default: one per 256 "
            + "tokens, at least 1).")
    Integer images;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ModelConfig cfg = preset != null ? ModelConfig.preset(preset)
                : ModelConfig.read(model.modelDir().resolve("config.json"));
        Map<String, long[]> shapes = new LinkedHashMap<>();
        LoadReport r = MMInterleaved.shapes(cfg, shapes);
        long total = r.parameterCount();
        out.printf("model            %s%n", cfg.name());
        out.printf("source           %s%n", preset != null ? "preset " + preset : model.modelDir());
        out.printf("parameters       %,d (%.2f billion) in %d tensors%n", total, total / 1e9, shapes.size());
        Map<String, Long> byPart = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long n = 1;
            for (long d : e.getValue()) {
                n *= d;
            }
            byPart.merge(part(e.getKey()), n, Long::sum);
        }
        byPart.forEach((k, v) -> out.printf("  %-32s %,16d%n", k, v));
        var llm = cfg.llm();
        out.printf("vision           %dx%d px, %d tokens/image; features %s%n", cfg.vision().imageSize(),
                cfg.vision().imageSize(), cfg.numImageTokens(), java.util.Arrays.toString(cfg.vision().featureSizes()));
        out.printf("llm              %d layers x %d, MMFS every %d layers, vocab %d, max %d tokens%n",
                llm.numLayers(), llm.hiddenSize(), llm.mmfsEvery(), llm.vocabSize(), llm.maxPositions());
        out.printf("images           %dx%d px (latents %dx%d)%n", cfg.decoderImageSize(), cfg.decoderImageSize(),
                cfg.unet().sampleSize(), cfg.unet().sampleSize());
        out.printf("weights          fp32 %s, fp16 %s%n", gib(total * 4), gib(total * 2));
        int t = tokens != null ? tokens : MemoryPlan.defaultTokens(cfg);
        // --dtype as the commands that load read it (default fp16 on a GPU, fp32 on the CPU); the plan also takes bf16
        Precision precision = model.dtype == null ? model.precision() : Precision.parsePlanned(model.dtype);
        MemoryPlan plan = MemoryPlan.of(cfg, precision, MemoryPlan.Target.parse(model.device),
                t, images != null ? images : MemoryPlan.defaultImages(cfg, t));
        plan.describe().forEach(out::println);
        out.printf("device           %s%n", device());
        out.flush();
        return 0;
    }

    /** The top-level component a parameter belongs to. */
    static String part(String name) {
        if (name.startsWith("visual_tokenizer.encoder.")) {
            return "vision encoder (ViT + adapter)";
        }
        if (name.startsWith("visual_tokenizer.")) {
            return "visual tokenizer (Q-Former, proj)";
        }
        if (name.startsWith("mm_decoder.") && name.contains(".llama_cross_attn.")) {
            return "LLM MMFS blocks";
        }
        if (name.startsWith("mm_decoder.")) {
            return "LLM";
        }
        if (name.startsWith("text_decoder.")) {
            return "text head";
        }
        if (name.startsWith("image_decoder.decoder.unet.")) {
            return "UNet";
        }
        if (name.startsWith("image_decoder.decoder.mmfs_module.")) {
            return "MMFSNet";
        }
        if (name.startsWith("image_decoder.decoder.vae.")) {
            return "VAE";
        }
        return "context resampler and glue";
    }

    static String gib(long bytes) {
        return bytes >= (1L << 30) ? String.format("%.1f GiB", bytes / (double) (1L << 30))
                : String.format("%.1f MiB", bytes / (double) (1L << 20));
    }

    static String device() {
        try {
            int gpus = dev.weft.engine.Devices.gpuCount();
            return "CPU (" + Runtime.getRuntime().availableProcessors() + " cores), " + dev.weft.engine.Devices.flavour()
                    + ", " + (gpus == 0 ? "no CUDA GPU visible" : gpus + " CUDA GPU(s)");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return "CPU (engine not available: " + e.getMessage() + ")";
        }
    }
}
