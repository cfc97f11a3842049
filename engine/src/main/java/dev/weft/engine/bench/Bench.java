package dev.weft.engine.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.Engine;
import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.config.TokenConfig;
import dev.weft.engine.diffusion.MmfsInput;
import dev.weft.engine.diffusion.MmfsNet;
import dev.weft.engine.diffusion.schedulers.SchedulerKind;
import dev.weft.engine.model.MMInterleaved;
import dev.weft.engine.nn.Flops;
import dev.weft.engine.pipeline.CancellationToken;
import dev.weft.engine.pipeline.Document;
import dev.weft.engine.pipeline.GenerationListener;
import dev.weft.engine.pipeline.InterleavedSession;
import dev.weft.engine.pipeline.SamplingOptions;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The benchmark behind {@code weft bench}: how fast each phase of generation runs on this machine, and how much of
 * the machine's matmul rate, in the model's precision (fp32 or fp16), it achieves.
 *
 * <p>Phases, each warmed up once, then timed {@code repeats} times (medians reported):
 * <ul>
 *   <li><b>LLM prefill</b>: a fresh {@link InterleavedSession} reads {@code promptTokens} text tokens in one forward
 *       (ms per token);</li>
 *   <li><b>LLM decode</b>: then {@code decodeTokens} single-token steps on the KV cache (ms per token);</li>
 *   <li><b>UNet step</b>: one UNet + MMFSNet forward on a (2, 4, h, w) latent with a (2, Q, H) condition, i.e. the
 *       batch of classifier-free guidance as generation runs it, MMFS prepared once outside the timing as the
 *       pipeline does (ms per step);</li>
 *   <li><b>VAE decode</b>: one (1, 4, h, w) latent to pixels (ms per image);</li>
 *   <li><b>continue step</b>: {@link Engine#continueDocument} on a prompt of about {@code promptTokens} tokens,
 *       writing exactly {@code decodeTokens} tokens (end tokens suppressed until then) and then one image with
 *       {@code unetSteps} DDPM steps under guidance 7.5 (s per step).</li>
 * </ul>
 * Achieved GFLOP/s is the {@link Flops} count of the phase (Linear, Conv2d and attention products; element-wise work
 * is not counted) over its wall time; it is compared with {@link MachineProbe#matmulGflops} measured in the same run.
 * The timed work ends with a read back to the host (logits, latents, pixels), so device work is finished when the
 * clock stops. {@link Flops} is process-wide: run nothing else in the process meanwhile.
 *
 * <p>Dimensions: Q context queries (the UNet condition's length), H cross-attention width, h, w latent side.
 */
public final class Bench {
    private Bench() { }

    /**
     * What to run.
     *
     * @param promptTokens text tokens read in the prefill phase (and the continue step's prompt length)
     * @param decodeTokens cached decode steps, and the text tokens the continue step writes before its image
     * @param unetSteps denoising steps of the continue step's image
     * @param repeats timed runs of each phase (after one warm-up); medians are reported
     * @param measureMachine whether to measure the matmul rate (else the fractions are not reported)
     */
    public record Options(int promptTokens, int decodeTokens, int unetSteps, int repeats, boolean measureMachine) {
        public Options {
            if (promptTokens < 1 || decodeTokens < 1 || unetSteps < 1 || repeats < 1) {
                throw new IllegalArgumentException("bench options: expected prompt tokens, decode tokens, UNet "
                        + "steps and repeats >= 1, found " + promptTokens + ", " + decodeTokens + ", " + unetSteps
                        + ", " + repeats);
            }
        }

        /** 32 prompt tokens, 16 decode tokens, 10 UNet steps, 3 repeats, with the machine's matmul rate. */
        public static Options defaults() {
            return new Options(32, 16, 10, 3, true);
        }
    }

    /**
     * One timed phase.
     *
     * @param name what was timed
     * @param unit what one unit of work is ("token", "step", "image")
     * @param units units of work per timed run
     * @param ms median wall time per unit, in milliseconds
     * @param gflop counted GFLOP per unit (median over the runs)
     */
    public record Phase(String name, String unit, int units, double ms, double gflop) {
        /** Achieved GFLOP/s: counted work over wall time. */
        public double gflops() {
            return gflop / (ms / 1000.0);
        }
    }

    /**
     * Everything measured.
     *
     * @param modelId the model's name
     * @param device the device the model runs on
     * @param options what was run
     * @param prefill LLM prefill, per token
     * @param decode LLM decode with the KV cache, per token
     * @param unetStep one UNet forward with classifier-free guidance (batch 2), per step
     * @param vaeDecode one VAE decode, per image
     * @param continueStep one whole continue step (text and one image), per step
     * @param precision the model's precision ({@code fp32} or {@code fp16}), also that of the matmul measured
     * @param matmulSize side of the square matmul measured (0 when not measured)
     * @param machineGflops that matmul's median GFLOP/s on this device (NaN when not measured)
     * @param residentMiB resident memory of the process at the end (-1 where unknown)
     */
    public record Figures(String modelId, String device, String precision, Options options, Phase prefill,
                          Phase decode,
                          Phase unetStep, Phase vaeDecode, Phase continueStep, int matmulSize, double machineGflops,
                          double residentMiB) {

        public List<Phase> phases() {
            return List.of(prefill, decode, unetStep, vaeDecode, continueStep);
        }

        /** Achieved rate of a phase as a fraction of the machine's matmul rate (NaN when not measured). */
        public double fractionOfMachine(Phase p) {
            return p.gflops() / machineGflops;
        }

        /** The figures as a labelled plain-text table. */
        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "weft bench: model %s in %s on %s (%d cores), %d repeats, medians%n",
                    modelId, precision, device, Runtime.getRuntime().availableProcessors(), options.repeats()));
            sb.append(String.format(Locale.ROOT, "%-46s %16s %11s %9s %10s%n",
                    "phase", "time (median)", "GFLOP/unit", "GFLOP/s", "of matmul"));
            for (Phase p : phases()) {
                String time = p == continueStep
                        ? String.format(Locale.ROOT, "%.3f s/%s", p.ms() / 1000.0, p.unit())
                        : String.format(Locale.ROOT, "%.3f ms/%s", p.ms(), p.unit());
                double f = fractionOfMachine(p);
                sb.append(String.format(Locale.ROOT, "%-46s %16s %11.4f %9.2f %10s%n", p.name(), time, p.gflop(),
                        p.gflops(), Double.isNaN(f) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * f)));
            }
            if (Double.isNaN(machineGflops)) {
                sb.append("machine: " + precision + " matmul rate not measured\n");
            } else {
                sb.append(String.format(Locale.ROOT, "machine: %s matmul %dx%d %.1f GFLOP/s%n", precision, matmulSize,
                        matmulSize, machineGflops));
            }
            if (residentMiB >= 0) {
                sb.append(String.format(Locale.ROOT, "resident memory at the end: %.0f MiB%n", residentMiB));
            }
            return sb.toString();
        }
    }

    /**
     * Runs every phase of {@code o} on {@code engine}'s model, logging progress to {@code log}, and prints
     * {@link Figures#table()} to {@code log} at the end (callers need not print it again).
     */
    public static Figures run(Engine engine, Options o, PrintStream log) {
        MMInterleaved model = engine.model();
        ModelConfig cfg = model.config;
        int maxPositions = cfg.llm().maxPositions();
        if (o.promptTokens() + o.decodeTokens() > maxPositions) {
            throw new IllegalArgumentException("bench options: prompt tokens + decode tokens must fit the model's "
                    + maxPositions + " positions, found " + o.promptTokens() + " + " + o.decodeTokens());
        }
        try (NDManager m = NDManager.newBaseManager(engine.device())) {
            // 0. the machine's matmul rate in the model's precision (the size: a few ms on a CPU, enough work for a GPU)
            int n = 0;
            double machine = Double.NaN;
            String precision = engine.precision().toString();
            if (o.measureMachine()) {
                n = engine.device().isGpu() ? 4096 : 1024;
                log.printf(Locale.ROOT, "bench: %s matmul %dx%d ...%n", precision, n, n);
                machine = MachineProbe.matmulGflops(m, n, 5, model.dataType());
            }
            // 1. LLM prefill and decode, one session per run
            int[] prompt = promptIds(cfg, o.promptTokens(), 7, true);
            int[] next = promptIds(cfg, o.decodeTokens(), 11, false);
            log.printf(Locale.ROOT, "bench: LLM prefill %d tokens, then %d decode steps ...%n", prompt.length,
                    next.length);
            List<long[]> pre = new ArrayList<>();
            List<long[]> dec = new ArrayList<>();
            for (int r = -1; r < o.repeats(); r++) {
                long[][] pd = llm(model, m, prompt, next);
                if (r >= 0) {
                    pre.add(pd[0]);
                    dec.add(pd[1]);
                }
            }
            Phase prefill = phase("LLM prefill (" + prompt.length + " tokens in one forward)", "token",
                    prompt.length, pre);
            Phase decode = phase("LLM decode (KV cache, after " + prompt.length + ")", "token", next.length, dec);
            // 2. UNet step with guidance (batch 2) and MMFSNet on an empty slot, as for a document's first image
            int side = cfg.unet().sampleSize();
            log.printf(Locale.ROOT, "bench: UNet step, latent (2, %d, %d, %d) ...%n", cfg.unet().inChannels(), side,
                    side);
            Phase unet;
            try (NDManager u = m.newSubManager()) {
                NDArray ctx = u.randomNormal(new Shape(2, cfg.contextResampler().numQueries(),
                        cfg.unet().crossAttentionDim())).toType(model.dataType(), false);  // (2, Q, H)
                MmfsNet.Prepared mmfs = model.unet.prepareMmfs(MmfsInput.empty(u, 2, cfg.vision().hiddenSize(),
                        cfg.vision().featureSizes(), model.dataType()));
                NDArray latents = u.randomNormal(new Shape(2, cfg.unet().inChannels(), side, side)); // (2, 4, h, w)
                unet = phase("UNet step (CFG batch 2, with MMFSNet)", "step", 1, timed(o.repeats(), () -> {
                    try (NDManager step = u.newSubManager()) {
                        NDArray x = latents.duplicate();
                        x.attach(step);
                        NDArray eps = model.unet.forward(x, step.create(new float[] {500f}), ctx, mmfs);
                        eps.toFloatArray();
                    }
                }));
            }
            // 3. VAE decode of one latent
            int px = side * (1 << (cfg.vae().blockOutChannels().size() - 1));
            log.printf(Locale.ROOT, "bench: VAE decode to %dx%d ...%n", px, px);
            Phase vae;
            try (NDManager v = m.newSubManager()) {
                NDArray latent = v.randomNormal(new Shape(1, cfg.vae().latentChannels(), side, side)); // (1, 4, h, w)
                vae = phase("VAE decode (" + px + "x" + px + ")", "image", 1, timed(o.repeats(), () -> {
                    try (NDManager step = v.newSubManager()) {
                        NDArray x = latent.duplicate();
                        x.attach(step);
                        model.vae.decode(x).toFloatArray();
                    }
                }));
            }
            // 4. a whole continue step through the engine: forced text, then one image
            Document doc = Document.of(new Document.Text(promptText(engine, o.promptTokens())));
            SamplingOptions so = new SamplingOptions(1f, 0.9f, 1.3f, o.decodeTokens(), o.decodeTokens(), 42,
                    o.unetSteps(), 7.5f, SchedulerKind.DDPM, 1);
            log.printf(Locale.ROOT, "bench: continue step, %d tokens and one image of %d steps ...%n",
                    o.decodeTokens(), o.unetSteps());
            // warm-up with 1 token and 1 step: every code path (vision encoder, resampler, VAE), little time
            engine.continueDocument(doc, so.withText(1f, 0.9f, 1.3f, 1, 1).withSteps(1), GenerationListener.NONE,
                    CancellationToken.NEVER);
            List<long[]> cont = new ArrayList<>();
            for (int r = 0; r < o.repeats(); r++) {
                cont.add(measure(() -> {
                    Engine.Continuation c = engine.continueDocument(doc, so, GenerationListener.NONE,
                            CancellationToken.NEVER);
                    if (c.items().stream().noneMatch(i -> i instanceof Document.Image)) {
                        throw new IllegalStateException("bench: the continue step made no image ("
                                + c.stoppedBecause() + ")");
                    }
                }));
            }
            Phase cont1 = phase("continue step (" + o.decodeTokens() + " tokens + image of " + o.unetSteps()
                    + " steps)", "step", 1, cont);
            Device d = engine.device();
            String device = d.isGpu() ? d.getDeviceType() + ":" + d.getDeviceId() : d.getDeviceType();
            Figures f = new Figures(engine.modelId(), device, precision, o, prefill, decode, unet, vae,
                    cont1, n, machine, MachineProbe.residentMiB());
            log.print(f.table());
            return f;
        }
    }

    /** One prefill of {@code prompt} then one decode step per id of {@code next}: {ns, flops} of each part. */
    private static long[][] llm(MMInterleaved model, NDManager m, int[] prompt, int[] next) {
        try (NDManager run = m.newSubManager(); InterleavedSession s = new InterleavedSession(model, run)) {
            s.appendTokens(toList(prompt));
            long[] pre = measure(s::logits);
            long[] dec = measure(() -> {
                for (int id : next) {
                    s.appendTokens(List.of(id));
                    s.logits();
                }
            });
            return new long[][] {pre, dec};
        }
    }

    /** One warm-up run, then {@code repeats} timed runs. */
    private static List<long[]> timed(int repeats, Runnable work) {
        work.run();
        List<long[]> out = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            out.add(measure(work));
        }
        return out;
    }

    /** {wall ns, counted FLOPs} of one run. */
    private static long[] measure(Runnable work) {
        long f0 = Flops.total();
        long t0 = System.nanoTime();
        work.run();
        long t1 = System.nanoTime();
        return new long[] {t1 - t0, Flops.total() - f0};
    }

    private static Phase phase(String name, String unit, int units, List<long[]> runs) {
        double ns = median(runs, r -> r[0]);
        double flops = median(runs, r -> r[1]);
        return new Phase(name, unit, units, ns / 1e6 / units, flops / 1e9 / units);
    }

    private interface Pick {
        long of(long[] run);
    }

    private static double median(List<long[]> runs, Pick pick) {
        long[] v = new long[runs.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = pick.of(runs.get(i));
        }
        Arrays.sort(v);
        int k = v.length / 2;
        return v.length % 2 == 1 ? v[k] : (v[k - 1] + v[k]) / 2.0;
    }

    /** Deterministic ordinary token ids (no special tokens), {@code n} in all, the first {@code <s>} if asked. */
    static int[] promptIds(ModelConfig cfg, int n, long seed, boolean bos) {
        TokenConfig tok = cfg.tokens();
        Random rnd = new Random(seed);
        int vocab = cfg.llm().vocabSize();
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            int id;
            do {
                id = rnd.nextInt(vocab);
            } while (id == tok.bos() || id == tok.eos() || id == tok.pad() || id == tok.boi() || id == tok.image()
                    || id == 0);
            ids[i] = id;
        }
        if (bos) {
            ids[0] = tok.bos();
        }
        return ids;
    }

    /** A prompt text of about {@code n} tokens for the continue step. */
    private static String promptText(Engine engine, int n) {
        String sentence = "a red house stands on the hill, and the sun is setting behind it. ";
        StringBuilder sb = new StringBuilder(sentence);
        while (engine.tokenizer().encode(sb.toString()).size() < n) {
            sb.append(sentence);
        }
        List<Integer> ids = engine.tokenizer().encode(sb.toString());
        return engine.tokenizer().decode(ids.subList(0, Math.min(n, ids.size())));
    }

    private static List<Integer> toList(int[] a) {
        List<Integer> l = new ArrayList<>(a.length);
        for (int x : a) {
            l.add(x);
        }
        return l;
    }
}
