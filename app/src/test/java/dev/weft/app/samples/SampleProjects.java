package dev.weft.app.samples;

import ai.djl.Device;
import dev.weft.app.StudioViewModel;
import dev.weft.app.common.UiThread;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.queue.JobStatus;
import dev.weft.app.service.EngineService;
import dev.weft.app.sketch.SegmentationPalette;
import dev.weft.app.sketch.Sketch;
import dev.weft.app.sketch.SketchOp;
import dev.weft.app.sketch.SketchRasterizer;
import dev.weft.app.storyboard.CellViewModel;
import dev.weft.app.storyboard.StoryboardViewModel;
import dev.weft.app.style.StyleBoardViewModel;
import dev.weft.engine.Engine;
import dev.weft.engine.world.Caption;
import dev.weft.engine.world.ObjectClass;
import dev.weft.engine.world.Rendered;
import dev.weft.engine.world.Renderer;
import dev.weft.engine.world.Scene;
import dev.weft.engine.world.Style;
import dev.weft.engine.world.WorldSample;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Makes the sample projects in {@code samples/} through the studio's own ViewModels, on the bundled model: the
 * pictures and maps come from Weft's procedural world ({@code dev.weft.engine.world}, data-set seed
 * {@value #WORLD_SEED}, a range the model was not trained on), the generated cells from the model through the same
 * calls the buttons make (Continue, the style board's Paint and Use in story, a sketch's Paint), and the files from
 * the studio's project writer (Save As). Every job runs on the calling thread; seeds are fixed, so the content is
 * the same on every run up to the last bits of the CPU's floating point.
 *
 * <ul>
 *   <li>{@link #story}: {@value #STORY_FILE}, the opening of a world story (two sentences and their pictures)
 *   continued twice by the model (a sentence and a picture each time);</li>
 *   <li>{@link #styleBoard}: {@value #STYLE_FILE}, four reference pictures (watercolour, pencil, pixel art, neon),
 *   each with a text and the picture the style board painted from that reference;</li>
 *   <li>{@link #segmentation}: {@value #SEGMENTATION_FILE}, three sketch cells whose maps are world scenes' label
 *   maps drawn with the model's palette (one brush stroke per run of a row), their captions, and the pictures
 *   painted from them.</li>
 * </ul>
 *
 * Run by {@link WriteSampleProjects}.
 */
public final class SampleProjects {
    public static final long WORLD_SEED = 2000;
    public static final String STORY_FILE = "illustrated-story.weft";
    public static final String STYLE_FILE = "style-board.weft";
    public static final String SEGMENTATION_FILE = "segmentation-maps.weft";
    /** The story: record {@value} of the stories of {@link #WORLD_SEED} (a blue tree in watercolour). */
    static final int STORY_INDEX = 2;

    private final StudioViewModel studio;
    private final Consumer<String> log;

    private SampleProjects(StudioViewModel studio, Consumer<String> log) {
        this.studio = studio;
        this.log = log;
    }

    /**
     * A studio on the calling thread whose model is loaded from {@code modelDir} through the studio's engine
     * service (so the sketch pad gets the model's palette), with {@code engine} as the loaded model.
     */
    public static StudioViewModel studio(Engine engine, Path modelDir, Path configDir) {
        EngineService service = new EngineService(Runnable::run, UiThread.direct(), (d, dev, p) -> engine, false);
        AtomicLong seeds = new AtomicLong(1000);
        StudioViewModel s = StudioViewModel.builder().ui(UiThread.direct()).generation(Runnable::run)
                .io(Runnable::run).engine(service).configDir(configDir).seeds(seeds::incrementAndGet)
                .previewIntervalMillis(60_000).build(); // one denoising preview per picture is plenty here
        service.load(modelDir, Device.cpu());
        if (!service.isReady()) {
            throw new IllegalStateException("the model did not load: " + service.messageProperty().get());
        }
        return s;
    }

    /** Writes the three samples into {@code dir}; returns their paths. */
    public static List<Path> writeAll(StudioViewModel studio, Path dir, Consumer<String> log) {
        SampleProjects s = new SampleProjects(studio, log);
        return List.of(s.story(dir.resolve(STORY_FILE)), s.styleBoard(dir.resolve(STYLE_FILE)),
                s.segmentation(dir.resolve(SEGMENTATION_FILE)));
    }

    private StoryboardViewModel sb() {
        return studio.storyboard();
    }

    /** A new project with the model's settings and a fixed seed. */
    private void fresh(long seed) {
        studio.project().newProject();
        var s = sb().settings();
        s.randomSeedProperty().set(false);
        s.seedProperty().set(seed);
        s.imagesPerContinueProperty().set(1);
    }

    private static void succeeded(GenerationJob j) {
        if (j == null || j.getStatus() != JobStatus.SUCCEEDED) {
            throw new IllegalStateException("a job did not succeed: " + (j == null ? "not started" : j.getStatus()
                    + " " + j.getError()));
        }
    }

    /** Saves with a new seed for every Continue again (the samples are made with fixed ones). */
    private Path save(Path file) {
        sb().settings().randomSeedProperty().set(true);
        if (!studio.project().saveAs(file).join()) {
            throw new IllegalStateException("could not save " + file + ": " + studio.notifier().last());
        }
        return file;
    }

    // ------------------------------------------------------------------ the illustrated story

    Path story(Path file) {
        fresh(5);
        WorldSample w = WorldSample.generate(WORLD_SEED, STORY_INDEX, new WorldSample.Mix(1, 0));
        List<String> sentences = w.texts();
        List<Rendered> pictures = w.render();
        for (int i = 0; i < 2; i++) {
            sb().addText(sentences.get(i));
            sb().addImages(List.of(pictures.get(i).image()));
        }
        log.accept("story: " + sentences.subList(0, 2) + " (the world's own continuation: "
                + sentences.subList(2, sentences.size()) + ")");
        for (int i = 0; i < 2; i++) {
            succeeded(sb().continueStory());
        }
        log.accept("story: the model wrote " + sb().cells().stream().skip(4).filter(CellViewModel::isText)
                .map(CellViewModel::getText).toList());
        return save(file);
    }

    // ------------------------------------------------------------------ the style board

    Path styleBoard(Path file) {
        fresh(21);
        List<Scene> references = new ArrayList<>();
        List<Caption> prompts = new ArrayList<>();
        Set<Style> wanted = EnumSet.of(Style.WATERCOLOUR, Style.PENCIL, Style.PIXEL, Style.NEON);
        // single-object scenes: a reference for each wanted style, and the next single-object scene's content
        // (its caption without the style phrase, as the model was trained) as the text to paint in that style
        for (int i = 0; references.size() < wanted.size() || prompts.size() < references.size(); i++) {
            Scene s = WorldSample.generate(WORLD_SEED, i, new WorldSample.Mix(0, 0)).scenes().get(0);
            if (s.objects().size() != 1) {
                continue;
            }
            if (prompts.size() < references.size()) {
                Caption c = s.caption();
                prompts.add(new Caption(c.objects(), c.background(), null));
            } else if (wanted.contains(s.style()) && references.stream().noneMatch(r -> r.style() == s.style())) {
                references.add(s);
            }
        }
        StyleBoardViewModel board = studio.styleBoard();
        board.countProperty().set(1);
        for (int i = 0; i < references.size(); i++) {
            sb().addText(prompts.get(i).text());
            CellViewModel ref = sb().addImages(List.of(Renderer.render(references.get(i)).image())).get(0);
            sb().select(ref);
            board.referenceFromSelection();
            board.textProperty().set(prompts.get(i).text());
            List<GenerationJob> jobs = board.paint();
            jobs.forEach(SampleProjects::succeeded);
            CellViewModel painted = board.pick(board.variants().get(0));
            sb().select(painted);
            log.accept("style board: reference " + references.get(i).caption().text() + " -> \""
                    + prompts.get(i).text() + "\"");
        }
        return save(file);
    }

    // ------------------------------------------------------------------ the segmentation maps

    Path segmentation(Path file) {
        fresh(31);
        List<Scene> scenes = new ArrayList<>();
        Set<Style> styles = EnumSet.noneOf(Style.class);
        for (int i = 0; scenes.size() < 3; i++) {
            Scene s = WorldSample.generate(WORLD_SEED, i, new WorldSample.Mix(0, 0)).scenes().get(0);
            if (s.objects().size() >= 2 && styles.add(s.style())) {
                scenes.add(s);
            }
        }
        for (Scene s : scenes) {
            CellViewModel sketch = sb().addSketch();
            SegmentationPalette p = sketch.getSketch().palette();
            for (ObjectClass c : ObjectClass.values()) {
                if (p.byName(c.word()) == null || p.byName(c.word()).id() != c.classId()) {
                    throw new IllegalStateException("the model's palette does not have the world's " + c.word()
                            + " as class " + c.classId() + ": " + p.name());
                }
            }
            Rendered r = Renderer.render(s);
            for (SketchOp op : strokes(r.labels(), Renderer.SIZE, sketch.getSketch().size())) {
                sb().sketchOp(sketch, op);
            }
            double agree = agreement(sketch.getSketch(), r.labels(), Renderer.SIZE);
            if (agree < 0.995) {
                throw new IllegalStateException("the strokes redraw only " + agree + " of the map");
            }
            sb().editText(sketch, s.caption().text());
            succeeded(sb().paintFromSketch(sketch));
            CellViewModel painted = sb().getSelected();
            sb().select(painted);
            log.accept(String.format("segmentation: %s (%d strokes, %.2f %% of the map's pixels as drawn)",
                    s.caption().text(), sketch.getSketch().ops().size(), 100 * agree));
        }
        return save(file);
    }

    /**
     * A label map ({@code side} x {@code side}, class id per pixel) as brush strokes on a sketch of
     * {@code sketchSize}: each run of one class along a row becomes one stroke, {@code sketchSize / side} pixels
     * wide, through the middle of the row's band (the sketch rasterizes without antialiasing; {@link #agreement}
     * checks that the strokes cover the map's pixels). The background (0) is left unpainted.
     */
    static List<SketchOp> strokes(byte[] labels, int side, int sketchSize) {
        float scale = sketchSize / (float) side;
        List<SketchOp> ops = new ArrayList<>();
        for (int y = 0; y < side; y++) {
            int x = 0;
            while (x < side) {
                int label = labels[y * side + x] & 0xFF;
                int end = x;
                while (end + 1 < side && (labels[y * side + end + 1] & 0xFF) == label) {
                    end++;
                }
                if (label != 0) {
                    // Java2D's unantialiased round caps reach half a brush left of the start and (in pixels
                    // filled) less than that right of the end: the end point sits one brush radius further on
                    float cy = (y + 0.5f) * scale;
                    float x0 = x * scale + scale / 2;
                    float x1 = (end + 1) * scale;
                    ops.add(new SketchOp.Stroke(label, scale, false, new float[] {x0, cy, x1, cy}));
                }
                x = end + 1;
            }
        }
        return ops;
    }

    /** The share of the map's pixels whose class the sketch, rasterized and read back at {@code side}, has. */
    static double agreement(Sketch sketch, byte[] labels, int side) {
        BufferedImage map = SketchRasterizer.rasterize(sketch);
        int scale = sketch.size() / side;
        int same = 0;
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int want = sketch.palette().color(labels[y * side + x] & 0xFF) & 0xFFFFFF;
                boolean all = true;
                for (int dy = 0; dy < scale && all; dy++) {
                    for (int dx = 0; dx < scale && all; dx++) {
                        all = (map.getRGB(x * scale + dx, y * scale + dy) & 0xFFFFFF) == want;
                    }
                }
                same += all ? 1 : 0;
            }
        }
        return same / (double) (side * side);
    }
}
