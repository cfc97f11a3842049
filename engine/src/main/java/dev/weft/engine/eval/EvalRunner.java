package dev.weft.engine.eval;

import dev.weft.engine.Engine;
import dev.weft.engine.pipeline.CancellationToken;
import dev.weft.engine.pipeline.Document;
import dev.weft.engine.pipeline.GenerationListener;
import dev.weft.engine.pipeline.SamplingOptions;
import dev.weft.engine.world.Caption;
import dev.weft.engine.world.Grammar;
import dev.weft.engine.world.ObjectDescription;
import dev.weft.engine.world.Rendered;
import dev.weft.engine.world.Renderer;
import dev.weft.engine.world.Scene;
import dev.weft.engine.world.Sentence;
import dev.weft.engine.world.Story;
import dev.weft.engine.world.Vocabulary;
import dev.weft.engine.world.WorldSample;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Runs the evaluation of {@code weft eval}: every task on {@code count} held-out samples of the procedural world
 * (data set seed >= {@value #MIN_SEED}; the model trains on seeds 1, 2, 3..., the evaluator on 500-699), for the
 * model, the model with MMFS switched off ({@link MmfsAblation}; segment->image and story only), ground truth
 * (the ceiling: what a perfect model would produce, read by the same evaluator) and random (the floor).
 *
 * <p>Samples, all from {@link WorldSample#generate} with data set {@code seed}: scene {@code i} is record {@code i}
 * of the scenes-only mix; the style reference of sample {@code i} is record {@value #REFERENCES} + i; the random
 * caption (image->text floor) record {@value #RANDOM_CAPTIONS} + i; story {@code i} record {@value #STORIES} + i of
 * the stories-only mix. Generation uses sampling seed {@code sampling.seed() + i}.
 *
 * <p>Tasks (what each column gets; the evaluator reads every picture with {@link SceneReader}):
 * <ul>
 *   <li>text->image: the scene's caption; class, colour, position accuracy of the objects it names
 *       ({@link ObjectMatch}: one-to-one by class, over max(named, found)). Truth: the scene's render.</li>
 *   <li>segment->image: the colour-coded map and the caption; mIoU ({@link Iou}, 13 classes, background included,
 *       at 64 x 64) between the input map and the evaluator's segmentation of the output. Truth: the render.</li>
 *   <li>style->image: a reference picture (another scene, in its own style) and the caption without its style
 *       phrase; style accuracy against the reference's style, and class, colour, position accuracy of the text's
 *       objects. Truth: the scene rendered in the reference's style.</li>
 *   <li>image->text: the render, {@link Engine#caption}; the continuation after the prompt (or, when that does not
 *       parse, "a" + the continuation, in case the model carried on the prompt's article) is split into sentences;
 *       the first is parsed with {@link Grammar#parse}; class, colour, size, position accuracy of its objects against
 *       the scene's (over max(true, named)), background and style accuracy, and the share of sentences that parse.
 *       Truth: the scene's caption; random: the caption of another random scene.</li>
 *   <li>story: the story's first sentence and picture, continued for {@code storyFrames} frames;
 *       {@link StoryCheck}: identity and colour consistency of the generated frames, share of generated sentences
 *       that parse. Truth: the story's next sentences and pictures; random: noise pictures and random words.</li>
 * </ul>
 * Random pictures are uniform RGB noise.
 */
public final class EvalRunner {
    public static final long MIN_SEED = 1000;
    static final long REFERENCES = 1_000_000;
    static final long RANDOM_CAPTIONS = 2_000_000;
    static final long STORIES = 3_000_000;
    private static final WorldSample.Mix SCENES = new WorldSample.Mix(0, 0);
    private static final WorldSample.Mix STORY_MIX = new WorldSample.Mix(1, 0);

    /** The table's columns. */
    public enum Column {
        MODEL("model"), MMFS_OFF("MMFS off"), TRUTH("ground truth"), RANDOM("random");

        public final String label;

        Column(String label) {
            this.label = label;
        }
    }

    /** The table's rows. */
    public enum Metric {
        T2I_CLASS("text->image", "class accuracy"),
        T2I_COLOUR("text->image", "colour accuracy"),
        T2I_POSITION("text->image", "position accuracy"),
        SEG_MIOU("segment->image", "mIoU"),
        STYLE_STYLE("style->image", "style accuracy"),
        STYLE_CLASS("style->image", "content class accuracy"),
        STYLE_COLOUR("style->image", "content colour accuracy"),
        STYLE_POSITION("style->image", "content position accuracy"),
        I2T_CLASS("image->text", "class accuracy"),
        I2T_COLOUR("image->text", "colour accuracy"),
        I2T_SIZE("image->text", "size accuracy"),
        I2T_POSITION("image->text", "position accuracy"),
        I2T_BACKGROUND("image->text", "background accuracy"),
        I2T_STYLE("image->text", "style accuracy"),
        I2T_PARSE("image->text", "sentences that parse"),
        STORY_IDENTITY("story", "identity consistency"),
        STORY_COLOUR("story", "colour consistency"),
        STORY_PARSE("story", "sentences that parse");

        public final String task;
        public final String label;

        Metric(String task, String label) {
            this.task = task;
            this.label = label;
        }
    }

    /**
     * @param seed held-out data set seed (>= {@value #MIN_SEED})
     * @param count samples per task
     * @param storyFrames frames generated per story (at most the story's length minus its first picture)
     * @param sampling text and image sampling; sample i uses seed {@code sampling.seed() + i}
     */
    public record Options(long seed, int count, int storyFrames, SamplingOptions sampling) {
        public Options {
            if (seed < MIN_SEED) {
                throw new IllegalArgumentException("seed: evaluation uses held-out world seeds >= " + MIN_SEED
                        + " (training uses 1, 2, 3..., the evaluator 500-699), found " + seed);
            }
            if (count < 1) {
                throw new IllegalArgumentException("count: expected at least 1, found " + count);
            }
            if (storyFrames < 1 || storyFrames > Story.MAX_SCENES - 1) {
                throw new IllegalArgumentException("story frames: expected 1 to " + (Story.MAX_SCENES - 1)
                        + ", found " + storyFrames);
            }
        }
    }

    /**
     * The scores, and their bootstrap standard errors over the samples ({@value Bootstrap#REPS} redraws of
     * {@code count} samples with replacement: how much a figure would move on another draw of as many samples;
     * it says nothing of run-to-run variation of training).
     */
    public record Report(Options options, Map<Metric, Map<Column, Double>> values,
                         Map<Metric, Map<Column, Double>> standardErrors) {
        public double get(Metric m, Column c) {
            Double v = values.get(m).get(c);
            return v == null ? Double.NaN : v;
        }

        /** The bootstrap standard error of {@link #get}, NaN where there is none. */
        public double standardError(Metric m, Column c) {
            Map<Column, Double> row = standardErrors.get(m);
            Double v = row == null ? null : row.get(c);
            return v == null ? Double.NaN : v;
        }
    }

    private final SceneReader reader;
    private final Options o;
    private final Consumer<String> log;
    private final CancellationToken cancel;
    private final Map<Metric, Map<Column, Score>> scores = new EnumMap<>(Metric.class);
    private final Map<Column, Iou> ious = new EnumMap<>(Column.class);
    private int sample; // the sample being scored (run() is sequential)

    public EvalRunner(SceneReader reader, Options options, Consumer<String> log, CancellationToken cancel) {
        this.reader = reader;
        this.o = options;
        this.log = log;
        this.cancel = cancel;
        for (Metric m : Metric.values()) {
            scores.put(m, new EnumMap<>(Column.class));
        }
    }

    /**
     * Evaluates {@code model} (and {@code ablated}, the same model with MMFS off, when not null), ground truth and
     * random on every task.
     */
    public Report run(Engine model, Engine ablated) {
        for (int i = 0; i < o.count(); i++) {
            sample = i;
            cancel.check();
            log.accept("sample " + (i + 1) + "/" + o.count());
            SamplingOptions so = o.sampling().withSeed(o.sampling().seed() + i);
            Scene scene = WorldSample.generate(o.seed(), i, SCENES).scenes().get(0);
            Rendered render = Renderer.render(scene);
            textToImage(i, scene, render, model, so);
            segmentToImage(i, scene, render, model, ablated, so);
            styleToImage(i, scene, model, so);
            imageToText(i, scene, render, model, so);
            story(i, model, ablated, so);
        }
        Map<Metric, Map<Column, Double>> out = new EnumMap<>(Metric.class);
        Map<Metric, Map<Column, Double>> se = new EnumMap<>(Metric.class);
        long seSeed = 0x5EED_B007L;
        for (Metric m : Metric.values()) {
            Map<Column, Double> row = new EnumMap<>(Column.class);
            Map<Column, Double> seRow = new EnumMap<>(Column.class);
            scores.get(m).forEach((c, s) -> {
                row.put(c, s.value());
                seRow.put(c, s.bootstrapSe(o.count(), Bootstrap.REPS, seSeed));
            });
            out.put(m, row);
            se.put(m, seRow);
        }
        Map<Column, Double> seg = new EnumMap<>(Column.class);
        Map<Column, Double> segSe = new EnumMap<>(Column.class);
        ious.forEach((c, iou) -> {
            seg.put(c, iou.mean());
            segSe.put(c, iou.bootstrapSe(Bootstrap.REPS, seSeed));
        });
        out.put(Metric.SEG_MIOU, seg);
        se.put(Metric.SEG_MIOU, segSe);
        return new Report(o, out, se);
    }

    // ---------------------------------------------------------------- tasks

    private void textToImage(int i, Scene scene, Rendered render, Engine model, SamplingOptions so) {
        String prompt = scene.caption().text();
        List<ObjectDescription> named = scene.caption().objects();
        Map<Column, BufferedImage> pics = new EnumMap<>(Column.class);
        if (model != null) {
            pics.put(Column.MODEL, model.textToImage(prompt, so, GenerationListener.NONE, cancel));
        }
        pics.put(Column.TRUTH, render.image());
        pics.put(Column.RANDOM, noise(1, i));
        pics.forEach((c, pic) -> {
            ObjectMatch.Tally t = ObjectMatch.match(named, found(reader.read(pic)));
            add(Metric.T2I_CLASS, c, t.cls(), t.denominator());
            add(Metric.T2I_COLOUR, c, t.colour(), t.denominator());
            add(Metric.T2I_POSITION, c, t.position(), t.denominator());
        });
    }

    private void segmentToImage(int i, Scene scene, Rendered render, Engine model, Engine ablated,
                                SamplingOptions so) {
        BufferedImage map = render.map();
        String caption = scene.caption().text();
        Map<Column, BufferedImage> pics = new EnumMap<>(Column.class);
        if (model != null) {
            pics.put(Column.MODEL, model.segmentToImage(map, caption, so, GenerationListener.NONE, cancel));
        }
        if (ablated != null) {
            pics.put(Column.MMFS_OFF, ablated.segmentToImage(map, caption, so, GenerationListener.NONE, cancel));
        }
        pics.put(Column.TRUTH, render.image());
        pics.put(Column.RANDOM, noise(2, i));
        byte[] truth = EvalNet.downsampleLabels(render.labels(), render.side());
        pics.forEach((c, pic) -> ious.computeIfAbsent(c, k -> new Iou(EvalNet.CLASSES))
                .add(truth, reader.read(pic).classes()));
    }

    private void styleToImage(int i, Scene scene, Engine model, SamplingOptions so) {
        Scene ref = WorldSample.generate(o.seed(), REFERENCES + i, SCENES).scenes().get(0);
        BufferedImage refPic = Renderer.render(ref).image();
        Caption content = new Caption(scene.objects().stream().map(x -> x.describe()).toList(), scene.background(),
                null);
        Map<Column, BufferedImage> pics = new EnumMap<>(Column.class);
        if (model != null) {
            pics.put(Column.MODEL, model.styleToImage(refPic, content.text(), so, GenerationListener.NONE, cancel));
        }
        pics.put(Column.TRUTH, Renderer.render(scene.withStyle(ref.style())).image());
        pics.put(Column.RANDOM, noise(3, i));
        pics.forEach((c, pic) -> {
            SceneReader.Seen seen = reader.read(pic);
            add(Metric.STYLE_STYLE, c, seen.style() == ref.style() ? 1 : 0, 1);
            ObjectMatch.Tally t = ObjectMatch.match(content.objects(), found(seen));
            add(Metric.STYLE_CLASS, c, t.cls(), t.denominator());
            add(Metric.STYLE_COLOUR, c, t.colour(), t.denominator());
            add(Metric.STYLE_POSITION, c, t.position(), t.denominator());
        });
    }

    private void imageToText(int i, Scene scene, Rendered render, Engine model, SamplingOptions so) {
        Map<Column, String> texts = new EnumMap<>(Column.class);
        if (model != null) {
            String full = model.caption(render.image(), so, GenerationListener.NONE, cancel);
            texts.put(Column.MODEL, stripPrompt(full));
        }
        texts.put(Column.TRUTH, scene.caption().text());
        texts.put(Column.RANDOM, WorldSample.generate(o.seed(), RANDOM_CAPTIONS + i, SCENES).captions().get(0).text());
        texts.forEach((c, text) -> scoreCaption(c, scene, text));
    }

    /** Scores one generated caption against the scene it describes. */
    void scoreCaption(Column c, Scene scene, String text) {
        List<List<String>> sentences = Grammar.sentences(text);
        int ok = (int) sentences.stream().filter(s -> Grammar.parseWords(s).isPresent()).count();
        add(Metric.I2T_PARSE, c, ok, Math.max(1, sentences.size()));
        Caption cap = readCaption(text).orElse(null);
        List<ObjectDescription> truth = scene.caption().objects();
        ObjectMatch.Tally t = cap == null ? new ObjectMatch.Tally(truth.size(), 0, 0, 0, 0)
                : ObjectMatch.match(truth, cap.objects());
        add(Metric.I2T_CLASS, c, t.cls(), t.denominator());
        add(Metric.I2T_COLOUR, c, t.colour(), t.denominator());
        add(Metric.I2T_SIZE, c, t.size(), t.denominator());
        add(Metric.I2T_POSITION, c, t.position(), t.denominator());
        add(Metric.I2T_BACKGROUND, c, cap != null && cap.background() == scene.background() ? 1 : 0, 1);
        add(Metric.I2T_STYLE, c, cap != null && cap.style() == scene.style() ? 1 : 0, 1);
    }

    /** The caption a generated text states: its first sentence, or "a" + it (the prompt's article carried on). */
    static Optional<Caption> readCaption(String text) {
        List<List<String>> sentences = Grammar.sentences(text);
        if (sentences.isEmpty()) {
            return Optional.empty();
        }
        List<String> first = sentences.get(0);
        Optional<Sentence> s = Grammar.parseWords(first);
        if (s.isEmpty() || !(s.get() instanceof Caption)) {
            List<String> withArticle = new ArrayList<>(List.of("a"));
            withArticle.addAll(first);
            s = Grammar.parseWords(withArticle);
        }
        return s.filter(x -> x instanceof Caption).map(x -> (Caption) x);
    }

    /** The model's continuation after {@link Engine#CAPTION_PROMPT}. */
    static String stripPrompt(String caption) {
        String t = caption.strip();
        return t.startsWith(Engine.CAPTION_PROMPT) ? t.substring(Engine.CAPTION_PROMPT.length()).strip() : t;
    }

    private void story(int i, Engine model, Engine ablated, SamplingOptions so) {
        Story story = WorldSample.generate(o.seed(), STORIES + i, STORY_MIX).story();
        int k = Math.min(o.storyFrames(), story.scenes().size() - 1);
        String opening = story.sentences().get(0).text();
        BufferedImage first = Renderer.render(story.scenes().get(0)).image();
        Map<Column, Continuation> runs = new EnumMap<>(Column.class);
        SamplingOptions frames = new SamplingOptions(so.temperature(), so.topP(), so.repetitionPenalty(),
                so.minNewTokens(), so.maxNewTokens(), so.seed(), so.steps(), so.guidance(), so.scheduler(), k);
        Document doc = Document.of(new Document.Text(opening), new Document.Image(first));
        if (model != null) {
            runs.put(Column.MODEL, Continuation.of(model.continueDocument(doc, frames, GenerationListener.NONE,
                    cancel)));
        }
        if (ablated != null) {
            runs.put(Column.MMFS_OFF, Continuation.of(ablated.continueDocument(doc, frames, GenerationListener.NONE,
                    cancel)));
        }
        List<String> gtTexts = new ArrayList<>();
        List<BufferedImage> gtFrames = new ArrayList<>();
        List<String> rndTexts = new ArrayList<>();
        List<BufferedImage> rndFrames = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(o.seed() * 31 + STORIES + i);
        for (int f = 1; f <= k; f++) {
            gtTexts.add(story.sentences().get(f).text());
            gtFrames.add(Renderer.render(story.scenes().get(f)).image());
            rndTexts.add(randomWords(r));
            rndFrames.add(noise(5 + f, i));
        }
        runs.put(Column.TRUTH, new Continuation(gtTexts, gtFrames, ""));
        runs.put(Column.RANDOM, new Continuation(rndTexts, rndFrames, ""));
        runs.forEach((c, run) -> {
            // a frame the model did not paint (it ended the document) holds nothing and adds no sentence
            List<String> padded = new ArrayList<>(run.texts());
            while (padded.size() < k) {
                padded.add("");
            }
            List<Map<Integer, ObjectDescription>> expected = StoryCheck.expectedStates(opening, padded);
            for (int f = 0; f < k; f++) {
                List<SceneReader.Found> found = f < run.frames().size()
                        ? reader.read(run.frames().get(f)).objects() : List.of();
                ObjectMatch.Tally t = StoryCheck.frame(expected.get(f), found);
                add(Metric.STORY_IDENTITY, c, t.cls(), t.denominator());
                add(Metric.STORY_COLOUR, c, t.colour(), t.denominator());
            }
            int[] p = StoryCheck.parsed(run.texts());
            List<List<String>> tail = Grammar.sentences(run.tail());
            int tailOk = (int) tail.stream().filter(s -> Grammar.parseWords(s).isPresent()).count();
            add(Metric.STORY_PARSE, c, p[0] + tailOk, p[1] + tail.size());
        });
    }

    /** A generated continuation: the text before each frame, the frames, and any text after the last frame. */
    record Continuation(List<String> texts, List<BufferedImage> frames, String tail) {
        static Continuation of(Engine.Continuation c) {
            List<String> texts = new ArrayList<>();
            List<BufferedImage> frames = new ArrayList<>();
            StringBuilder cur = new StringBuilder();
            for (Document.Item it : c.items()) {
                if (it instanceof Document.Text t) {
                    cur.append(' ').append(t.text());
                } else if (it instanceof Document.Image im) {
                    texts.add(cur.toString().strip());
                    frames.add(im.image());
                    cur.setLength(0);
                }
            }
            return new Continuation(texts, frames, cur.toString().strip());
        }
    }

    // ---------------------------------------------------------------- helpers

    private static List<ObjectDescription> found(SceneReader.Seen seen) {
        return seen.objects().stream().map(f -> new ObjectDescription(null, f.colour(), f.cls(), f.position()))
                .toList();
    }

    private void add(Metric m, Column c, double num, double den) {
        scores.get(m).computeIfAbsent(c, k -> new Score()).add(sample, num, den);
    }

    /** Uniform RGB noise, 128 x 128, a function of the data set seed, the task and the sample. */
    BufferedImage noise(int task, int i) {
        SplittableRandom r = new SplittableRandom(o.seed() * 1_000_003L + task * 7_919L + i);
        BufferedImage img = new BufferedImage(Renderer.SIZE, Renderer.SIZE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < Renderer.SIZE; y++) {
            for (int x = 0; x < Renderer.SIZE; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return img;
    }

    /** 3 to 12 words of the world's vocabulary and a full stop. */
    static String randomWords(SplittableRandom r) {
        List<String> words = Vocabulary.WORDS.stream().filter(w -> w.chars().allMatch(Character::isLetter)).toList();
        int n = 3 + r.nextInt(10);
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < n; j++) {
            sb.append(j == 0 ? "" : " ").append(words.get(r.nextInt(words.size())));
        }
        return sb.append('.').toString();
    }
}
