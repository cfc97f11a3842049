package dev.weft.app.storyboard;

import dev.weft.app.common.ImageFiles;
import dev.weft.app.common.Notification;
import dev.weft.app.common.Notifier;
import dev.weft.app.common.UiThread;
import dev.weft.app.history.UndoManager;
import dev.weft.app.project.CellData;
import dev.weft.app.project.CellKind;
import dev.weft.app.project.Project;
import dev.weft.app.project.Recipe;
import dev.weft.app.project.Version;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.queue.JobQueue;
import dev.weft.app.queue.JobStatus;
import dev.weft.app.service.EngineService;
import dev.weft.app.sketch.Sketch;
import dev.weft.app.sketch.SketchOp;
import dev.weft.app.sketch.SketchRasterizer;
import dev.weft.app.sketch.SketchTools;
import dev.weft.engine.Engine;
import dev.weft.engine.pipeline.Document;
import dev.weft.engine.pipeline.SamplingOptions;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.image.Image;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * The storyboard: an ordered document of text and picture cells. Every edit goes through here and is recorded in
 * the {@link UndoManager}; every generation is a job on the {@link JobQueue}. Only this class (of the storyboard)
 * talks to the engine. UI thread only.
 */
public final class StoryboardViewModel {
    public static final double MIN_ZOOM = 0.5;
    public static final double MAX_ZOOM = 3;

    private final EngineService engine;
    private final JobQueue queue;
    private final UndoManager undo;
    private final Notifier notifier;
    private final Executor io;
    private final UiThread ui;
    private final LongSupplier seeds;
    private final ObservableList<CellViewModel> cells = FXCollections.observableArrayList();
    private final ObservableList<CellViewModel> readOnlyCells = FXCollections.unmodifiableObservableList(cells);
    private final ObjectProperty<CellViewModel> selected = new SimpleObjectProperty<>(this, "selected");
    private final DoubleProperty zoom = new SimpleDoubleProperty(this, "zoom", 1);
    private final GenerationSettings settings = new GenerationSettings();
    private final SketchTools sketchTools = new SketchTools();
    private final BooleanBinding canGenerate;
    private final ContextMeter contextMeter;
    private final LivePreviews live;

    /**
     * @param io    decodes imported pictures (a background executor in the studio)
     * @param seeds new seeds for "random seed" and "vary seed"
     */
    public StoryboardViewModel(EngineService engine, JobQueue queue, UndoManager undo, Notifier notifier,
                               Executor io, UiThread ui, LongSupplier seeds) {
        this.engine = engine;
        this.queue = queue;
        this.undo = undo;
        this.notifier = notifier;
        this.io = io;
        this.ui = ui;
        this.seeds = seeds;
        this.canGenerate = Bindings.createBooleanBinding(engine::isReady, engine.stateProperty());
        cells.addListener((javafx.collections.ListChangeListener<CellViewModel>) ch -> {
            if (selected.get() != null && !cells.contains(selected.get())) {
                selected.set(null);
            }
        });
        this.contextMeter = new ContextMeter(this, engine, ui);
        this.live = new LivePreviews(engine, queue, ui, sketchTools, settings, cells);
        sketchTools.liveProperty().addListener((o, a, on) -> {
            if (on) {
                live.switchedOn(selected.get());
            }
        });
        // sketches nothing was drawn on yet follow the model's classes
        engine.paletteProperty().addListener((o, a, p) -> {
            for (CellViewModel c : cells) {
                if (c.isSketch() && c.getSketch().ops().isEmpty() && !c.getSketch().palette().equals(p)) {
                    c.apply(c.state().withSketch(c.getSketch().withPalette(p)));
                }
            }
        });
    }

    /** How much of the model's context the story up to the selection takes. */
    public ContextMeter contextMeter() {
        return contextMeter;
    }

    public ObservableList<CellViewModel> cells() {
        return readOnlyCells;
    }

    public ObjectProperty<CellViewModel> selectedProperty() {
        return selected;
    }

    public CellViewModel getSelected() {
        return selected.get();
    }

    public void select(CellViewModel c) {
        if (c != selected.get()) {
            undo.seal();
        }
        selected.set(c);
    }

    public DoubleProperty zoomProperty() {
        return zoom;
    }

    public void zoomIn() {
        zoom.set(Math.min(MAX_ZOOM, zoom.get() * 1.25));
    }

    public void zoomOut() {
        zoom.set(Math.max(MIN_ZOOM, zoom.get() / 1.25));
    }

    public void zoomReset() {
        zoom.set(1);
    }

    public GenerationSettings settings() {
        return settings;
    }

    /** The sketch pad's tool, class and brush (shared by the sketch cells). */
    public SketchTools sketchTools() {
        return sketchTools;
    }

    /** True while the model is loaded (jobs can run). */
    public BooleanBinding canGenerateBinding() {
        return canGenerate;
    }

    // ------------------------------------------------------------------ editing

    private int insertionIndex() {
        int i = cells.indexOf(selected.get());
        return i >= 0 ? i + 1 : cells.size();
    }

    /** A new text cell after the selection (or at the end), selected. */
    public CellViewModel addText(String text) {
        CellViewModel c = CellViewModel.text(text == null ? "" : text);
        insert("Add text", List.of(c), insertionIndex());
        selected.set(c);
        return c;
    }

    /** New picture cells after the selection (or at the end); the last is selected. */
    public List<CellViewModel> addImages(List<BufferedImage> images) {
        return insertImages(images, insertionIndex());
    }

    /** New picture cells at {@code index} (a drop position), as one undo step. */
    public List<CellViewModel> insertImages(List<BufferedImage> images, int index) {
        if (images.isEmpty()) {
            return List.of();
        }
        List<CellViewModel> l = new ArrayList<>();
        for (BufferedImage b : images) {
            l.add(CellViewModel.image(b));
        }
        insert(images.size() == 1 ? "Add picture" : "Add " + images.size() + " pictures", l,
                Math.max(0, Math.min(index, cells.size())));
        selected.set(l.get(l.size() - 1));
        return l;
    }

    /**
     * Imports picture files (drop, Open picture…) at {@code index} (-1: after the selection). Decoding runs on the
     * I/O executor; files that cannot be read are named in one warning.
     */
    public void importImages(List<Path> files, int index) {
        io.execute(() -> {
            List<BufferedImage> ok = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            for (Path f : files) {
                try {
                    ok.add(ImageFiles.read(f));
                } catch (ImageFiles.ImageRejectedException e) {
                    problems.add(e.getMessage());
                }
            }
            ui.post(() -> {
                if (!ok.isEmpty()) {
                    insertImages(ok, index < 0 ? insertionIndex() : index);
                }
                if (!problems.isEmpty()) {
                    notifier.publish(Notification.warning("Some pictures were not added", String.join("\n",
                            problems)));
                }
            });
        });
    }

    private void insert(String name, List<CellViewModel> l, int index) {
        List<CellEdits.Placed> placed = new ArrayList<>();
        for (int i = 0; i < l.size(); i++) {
            cells.add(index + i, l.get(i));
            placed.add(new CellEdits.Placed(l.get(i), index + i));
        }
        undo.add(new CellEdits.Insert(name, cells, placed));
    }

    /** The user typed in a text cell (called by the View on every change; merges into one undo step). */
    public void editText(CellViewModel c, String text) {
        if (undo.isApplying() || c.isGenerating() || c.kind() == CellKind.IMAGE || text.equals(c.getText())) {
            return;
        }
        String before = c.getText();
        c.setText(text);
        undo.add(new CellEdits.Typing(c, before, text));
    }

    public void delete(CellViewModel c) {
        int i = cells.indexOf(c);
        if (i < 0) {
            return;
        }
        cells.remove(i);
        undo.add(new CellEdits.Remove("Delete cell", cells, List.of(new CellEdits.Placed(c, i))));
        if (!cells.isEmpty()) {
            selected.set(cells.get(Math.min(i, cells.size() - 1)));
        }
    }

    public void deleteSelected() {
        if (selected.get() != null) {
            delete(selected.get());
        }
    }

    public CellViewModel duplicate(CellViewModel c) {
        int i = cells.indexOf(c);
        if (i < 0 || c.isPlaceholder()) {
            return null;
        }
        CellViewModel d = c.duplicate();
        insert("Duplicate cell", List.of(d), i + 1);
        selected.set(d);
        return d;
    }

    public void duplicateSelected() {
        if (selected.get() != null) {
            duplicate(selected.get());
        }
    }

    /** Moves a cell so that it ends up at {@code to} (one undo step). */
    public void move(CellViewModel c, int to) {
        int from = cells.indexOf(c);
        int target = Math.max(0, Math.min(to, cells.size() - 1));
        if (from < 0 || from == target) {
            return;
        }
        cells.remove(from);
        cells.add(target, c);
        undo.add(new CellEdits.Move(cells, c, from, target));
    }

    /** Moves the selected cell up (-1) or down (+1). */
    public void moveSelected(int delta) {
        CellViewModel c = selected.get();
        if (c != null) {
            move(c, cells.indexOf(c) + delta);
        }
    }

    /** Makes an earlier version current again; the current one joins the versions. */
    public void restore(CellViewModel c, Version v) {
        if (c.isGenerating() || !c.history().contains(v)) {
            return;
        }
        CellState before = c.state();
        List<Version> history = new ArrayList<>(before.history());
        history.remove(v);
        history.add(0, before.asVersion());
        CellState after = new CellState(c.isText() ? v.text() : before.text(), c.isText() ? null : v.image(),
                v.recipe(), history);
        c.apply(after);
        undo.add(new CellEdits.State("Restore version", c, before, after));
    }

    // ------------------------------------------------------------------ documents and projects

    /** The engine's view of some cells: text and pictures in order (blank text left out). */
    static Document documentOf(List<CellViewModel> l) {
        List<Document.Item> items = new ArrayList<>();
        for (CellViewModel c : l) {
            if (c.isText()) {
                if (!c.getText().isBlank()) {
                    items.add(new Document.Text(c.getText()));
                }
            } else if (c.kind() == CellKind.IMAGE && c.getImage() != null) {
                // sketches are instructions for their own picture, not part of the story
                items.add(new Document.Image(c.getImage()));
            }
        }
        return new Document(items);
    }

    /** Cells up to and including {@code anchor} (all, if it is gone), leaving out unfinished ones. */
    List<CellViewModel> contextUpTo(CellViewModel anchor, boolean inclusive) {
        int i = anchor == null ? cells.size() - 1 : cells.indexOf(anchor);
        if (anchor != null && i < 0) {
            i = cells.size() - 1;
            inclusive = true;
        }
        int end = inclusive ? i + 1 : i;
        List<CellViewModel> l = new ArrayList<>();
        for (CellViewModel c : cells.subList(0, Math.max(0, end))) {
            if (!c.isPlaceholder() && !c.isGenerating()) {
                l.add(c);
            }
        }
        return l;
    }

    static String summary(List<CellViewModel> ctx) {
        long texts = ctx.stream().filter(c -> c.isText() && !c.getText().isBlank()).count();
        long images = ctx.stream().filter(c -> c.kind() == CellKind.IMAGE).count();
        return texts + (texts == 1 ? " text cell, " : " text cells, ") + images + (images == 1 ? " picture"
                : " pictures");
    }

    static String lastText(List<CellViewModel> ctx) {
        for (int i = ctx.size() - 1; i >= 0; i--) {
            if (ctx.get(i).isText() && !ctx.get(i).getText().isBlank()) {
                return ctx.get(i).getText();
            }
        }
        return "";
    }

    private Recipe recipe(Recipe.Mode mode, List<CellViewModel> ctx, SamplingOptions o) {
        return new Recipe(mode, ctx.stream().map(CellViewModel::id).toList(), summary(ctx), lastText(ctx), o.seed(),
                o.steps(), o.guidance(), o.scheduler().name(), o.maxNewTokens(), engine.modelId(),
                System.currentTimeMillis());
    }

    /** The storyboard as a project (cells being generated are saved as they were before). */
    public Project toProject() {
        List<CellData> l = new ArrayList<>();
        for (CellViewModel c : cells) {
            if (c.isPlaceholder() || (c.kind() == CellKind.IMAGE && c.getImage() == null && c.committed() == null)) {
                continue;
            }
            l.add(c.toData());
        }
        return new Project(l, settings.toData());
    }

    /** Replaces everything with a project (open, new, recover); not undoable. Cancels running generations. */
    public void load(Project p) {
        queue.cancelAll();
        List<CellViewModel> l = new ArrayList<>();
        for (CellData d : p.cells()) {
            l.add(CellViewModel.of(d));
        }
        selected.set(null);
        cells.setAll(l);
        settings.apply(p.settings());
        undo.discardAll();
    }

    // ------------------------------------------------------------------ generation

    private long nextSeed() {
        if (settings.randomSeedProperty().get()) {
            settings.seedProperty().set(seeds.getAsLong());
        }
        return settings.seedProperty().get();
    }

    /**
     * Continue: the model reads everything up to the selected cell (or the whole story) and writes what comes
     * next: tokens stream into a new text cell, then a new picture cell shows the denoising previews and the final
     * picture. The new cells go after the selection and are one undo step. Returns null (with a notification) when
     * there is nothing to continue from.
     */
    public GenerationJob continueStory() {
        CellViewModel anchor = selected.get();
        if (documentOf(contextUpTo(anchor, true)).isEmpty()) {
            notifier.publish(Notification.info("Nothing to continue",
                    "Write the start of a story (or add a picture) first, then press Continue."));
            return null;
        }
        SamplingOptions o = settings.options(nextSeed());
        return queue.submit("Continue story", new ContinueSpec(anchor, o));
    }

    /** Makes a cell again from the cells before it, with its recipe's settings and seed. */
    public GenerationJob regenerate(CellViewModel c) {
        Recipe r = c.getRecipe();
        return regenerate(c, r != null ? r.seed() : settings.seedProperty().get());
    }

    /** Makes a cell again with a new seed. */
    public GenerationJob varySeed(CellViewModel c) {
        return regenerate(c, seeds.getAsLong());
    }

    /**
     * {@code n} new versions of a cell, each with a new seed, one job each (a sketch: {@code n} new pictures). The
     * last one made is current; the others are among its versions (Restore picks one).
     */
    public List<GenerationJob> variants(CellViewModel c, int n) {
        List<GenerationJob> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long seed = seeds.getAsLong();
            GenerationJob j = c.isSketch() ? paintFromSketch(c, seed) : regenerate(c, seed, i > 0,
                    " (variant " + (i + 1) + " of " + n + ")");
            if (j == null) {
                break;
            }
            jobs.add(j);
        }
        return jobs;
    }

    private GenerationJob regenerate(CellViewModel c, long seed) {
        return regenerate(c, seed, false, "");
    }

    /** @param queuedBehind the cell may be busy with an earlier job of the same batch (this one waits for it) */
    private GenerationJob regenerate(CellViewModel c, long seed, boolean queuedBehind, String what) {
        if (!cells.contains(c) || (c.isGenerating() && !queuedBehind) || c.isPlaceholder()) {
            return null;
        }
        if (c.isSketch()) {
            return paintFromSketch(c);
        }
        Recipe r = c.getRecipe();
        Recipe.Mode mode = r == null ? Recipe.Mode.CONTINUE : r.mode();
        if (mode == Recipe.Mode.CONTINUE && documentOf(contextUpTo(c, false)).isEmpty()) {
            notifier.publish(Notification.info("Nothing to generate from",
                    "The first cell has nothing before it to continue from."));
            return null;
        }
        SamplingOptions o = r != null ? settings.options(r, seed)
                : settings.options(seed, settings.stepsProperty().get(),
                (float) settings.guidanceProperty().get(), settings.schedulerProperty().get(),
                settings.maxTokensProperty().get());
        String title = (c.isText() ? "Rewrite text" : "Repaint picture") + what + " (seed " + seed + ")";
        return queue.submit(title, new RegenerateSpec(c, o));
    }

    // ------------------------------------------------------------------ sketches

    /** A new segmentation sketch cell after the selection. */
    public CellViewModel addSketch() {
        CellViewModel c = CellViewModel.sketch(engine.palette());
        insert("Add sketch", List.of(c), insertionIndex());
        selected.set(c);
        return c;
    }

    /** A stroke, fill or clear on a sketch: one undo step each. */
    public void sketchOp(CellViewModel c, SketchOp op) {
        if (!c.isSketch() || !cells.contains(c)) {
            return;
        }
        CellState before = c.state();
        Sketch s = c.getSketch();
        if (s.ops().isEmpty() && !s.palette().equals(engine.palette())) {
            s = s.withPalette(engine.palette()); // the first stroke pins the palette of the model loaded now
        }
        CellState after = before.withSketch(s.with(op));
        c.apply(after);
        String name = op instanceof SketchOp.Stroke st ? (st.eraser() ? "Erase" : "Stroke")
                : op instanceof SketchOp.Fill ? "Fill" : "Clear sketch";
        undo.add(new CellEdits.State(name, c, before, after));
    }

    /** Paints a quick preview of a sketch now (Live does this after every change); null when it is blank. */
    public GenerationJob livePreview(CellViewModel sketch) {
        return sketch.isSketch() && cells.contains(sketch) ? live.preview(sketch) : null;
    }

    /**
     * Paints a picture from a sketch: its map (rasterized now) and caption go to the engine's segment-to-image;
     * the picture appears after the sketch with previews, and is one undo step.
     */
    public GenerationJob paintFromSketch(CellViewModel sketch) {
        return sketch.isSketch() && cells.contains(sketch) && !sketch.getSketch().isBlank()
                ? paintFromSketch(sketch, nextSeed()) : paintFromSketch(sketch, 0);
    }

    private GenerationJob paintFromSketch(CellViewModel sketch, long seed) {
        if (!sketch.isSketch() || !cells.contains(sketch)) {
            return null;
        }
        if (sketch.getSketch().isBlank()) {
            notifier.publish(Notification.info("Nothing to paint", "Draw some regions on the sketch first."));
            return null;
        }
        if (!sketch.getSketch().palette().sameClasses(engine.palette())) {
            notifier.publish(Notification.info("Other classes", "This sketch uses the " + sketch.getSketch()
                    .palette().name() + " classes; the model was trained on others, so the picture may not follow "
                    + "the map."));
        }
        SamplingOptions o = settings.options(seed, settings.stepsProperty().get(),
                (float) settings.guidanceProperty().get(), settings.schedulerProperty().get(),
                settings.maxTokensProperty().get());
        return queue.submit("Paint sketch (seed " + o.seed() + ")", new PictureSpec(sketch, o, () -> {
            BufferedImage map = SketchRasterizer.rasterize(sketch.getSketch());
            String caption = sketch.getText();
            Recipe r = new Recipe(Recipe.Mode.SEGMENT_TO_IMAGE, List.of(sketch.id()), "sketch", caption, o.seed(),
                    o.steps(), o.guidance(), o.scheduler().name(), o.maxNewTokens(), engine.modelId(),
                    System.currentTimeMillis());
            Engine e = engine.engine();
            return new Prepared(r, (l, cancel) -> e.segmentToImage(map, caption, o, l, cancel));
        }));
    }

    /**
     * Puts a finished picture into the story after the selection (the style board's pick), with its recipe; one
     * undo step.
     */
    public CellViewModel insertGenerated(BufferedImage image, Recipe recipe) {
        CellViewModel c = CellViewModel.image(image);
        c.setRecipe(recipe);
        insert("Add picture from the style board", List.of(c), insertionIndex());
        selected.set(c);
        return c;
    }

    /** The inputs of a one-picture job, captured when it starts. */
    record Prepared(Recipe recipe, GenerationJob.Work<BufferedImage> work) { }

    /** One new picture after an anchor cell (paint from sketch): a placeholder with previews, then the picture. */
    private final class PictureSpec implements GenerationJob.Spec<BufferedImage> {
        private final CellViewModel anchor;
        private final SamplingOptions options;
        private final java.util.function.Supplier<Prepared> prepare;
        private CellViewModel picture;
        private Recipe recipe;

        PictureSpec(CellViewModel anchor, SamplingOptions options, java.util.function.Supplier<Prepared> prepare) {
            this.anchor = anchor;
            this.options = options;
            this.prepare = prepare;
        }

        @Override
        public GenerationJob.Work<BufferedImage> start() {
            Prepared p = prepare.get();
            recipe = p.recipe();
            picture = new CellViewModel(CellViewModel.newId(), CellKind.IMAGE);
            picture.setPlaceholder(true);
            picture.beginGenerating(false);
            picture.setRecipe(recipe);
            int i = cells.indexOf(anchor);
            cells.add(i >= 0 ? i + 1 : cells.size(), picture);
            return p.work();
        }

        @Override
        public void preview(int step, int total, Image preview) {
            picture.setProgress(step / (double) total);
            picture.setStatus("step " + step + " of " + total);
            if (preview != null) {
                picture.setPreview(preview);
            }
        }

        @Override
        public void succeeded(BufferedImage result) {
            picture.setImage(result);
            picture.setPlaceholder(false);
            picture.endGenerating();
            if (cells.contains(picture)) {
                undo.add(new CellEdits.Insert("Paint sketch", cells, CellEdits.placedIn(cells, List.of(picture))));
                if (selected.get() == null || selected.get() == anchor) {
                    selected.set(picture);
                }
            }
        }

        @Override
        public void finished(JobStatus status) {
            if (picture != null && status != JobStatus.SUCCEEDED) {
                cells.remove(picture);
            }
        }
    }

    /** Continue: streams new cells in after the anchor; they become one undo step when the job ends. */
    private final class ContinueSpec implements GenerationJob.Spec<Engine.Continuation> {
        private final CellViewModel anchor;
        private final SamplingOptions options;
        private final List<CellViewModel> made = new ArrayList<>();
        private CellViewModel insertAfter;
        private CellViewModel insertAfterStart;
        private CellViewModel text;
        private CellViewModel picture;
        private Recipe recipe;

        ContinueSpec(CellViewModel anchor, SamplingOptions options) {
            this.anchor = anchor;
            this.options = options;
            this.insertAfter = anchor;
        }

        @Override
        public GenerationJob.Work<Engine.Continuation> start() {
            List<CellViewModel> ctx = contextUpTo(anchor, true);
            if (anchor == null || !cells.contains(anchor)) {
                insertAfter = ctx.isEmpty() ? null : ctx.get(ctx.size() - 1);
            }
            insertAfterStart = insertAfter;
            Document doc = documentOf(ctx);
            recipe = recipe(Recipe.Mode.CONTINUE, ctx, options);
            Engine e = engine.engine();
            return (l, cancel) -> e.continueDocument(doc, options, l, cancel);
        }

        private CellViewModel newCell(CellViewModel c) {
            c.setPlaceholder(true);
            c.beginGenerating(false);
            c.setRecipe(recipe);
            int i = insertAfter == null ? -1 : cells.indexOf(insertAfter);
            cells.add(i >= 0 ? i + 1 : cells.size(), c);
            made.add(c);
            insertAfter = c;
            return c;
        }

        @Override
        public void textStart() {
            text = newCell(CellViewModel.text(""));
            picture = null;
        }

        @Override
        public void token(String t) {
            if (text == null) {
                textStart();
            }
            text.appendText(text.getText().isEmpty() ? t.stripLeading() : t);
        }

        @Override
        public void textEnd(String finalText) {
            if (text == null) {
                return;
            }
            // the decoded passage replaces the streamed pieces; a passage with no words leaves no cell
            if (finalText == null || finalText.isBlank()) {
                cells.remove(text);
                made.remove(text);
                insertAfter = made.isEmpty() ? insertAfterStart : made.get(made.size() - 1);
            } else {
                text.setText(finalText.strip());
                text.setStatus("written");
            }
            text = null;
        }

        @Override
        public void imageStart(int index) {
            picture = newCell(new CellViewModel(CellViewModel.newId(), CellKind.IMAGE));
            picture.setStatus("starting");
            text = null;
        }

        @Override
        public void preview(int step, int total, Image preview) {
            if (picture == null) {
                imageStart(-1);
            }
            picture.setProgress(step / (double) total);
            picture.setStatus("step " + step + " of " + total);
            if (preview != null) {
                picture.setPreview(preview);
            }
        }

        @Override
        public void image(int index, BufferedImage img) {
            if (picture == null) {
                imageStart(index);
            }
            picture.setImage(img);
            picture = null;
            text = null;
        }

        @Override
        public void succeeded(Engine.Continuation c) {
            // the engine's items are final; the text and picture events made one cell per item, in order. Match
            // them anyway (a safety net): drop streamed cells with no item, add cells for items that did not stream
            List<CellViewModel> keep = new ArrayList<>();
            int next = 0;
            for (Document.Item item : c.items()) {
                boolean isText = item instanceof Document.Text;
                CellViewModel cell = null;
                for (int j = next; j < made.size(); j++) {
                    if (made.get(j).isText() == isText) {
                        cell = made.get(j);
                        next = j + 1;
                        break;
                    }
                }
                if (cell == null) {
                    cell = newCell(isText ? CellViewModel.text("") : new CellViewModel(CellViewModel.newId(),
                            CellKind.IMAGE));
                    next = made.size();
                }
                if (item instanceof Document.Text t) {
                    cell.setText(t.text().strip());
                } else if (item instanceof Document.Image im) {
                    cell.setImage(im.image());
                }
                keep.add(cell);
            }
            for (CellViewModel m : made) {
                if (!keep.contains(m)) {
                    cells.remove(m);
                }
            }
            commit(keep, "Continue");
            if (!keep.isEmpty() && (selected.get() == null || selected.get() == anchor)) {
                selected.set(keep.get(keep.size() - 1));
            }
            made.clear();
        }

        @Override
        public void finished(JobStatus status) {
            // cancelled or failed: keep the text written so far, drop unfinished pictures
            List<CellViewModel> keep = new ArrayList<>();
            for (CellViewModel m : made) {
                boolean useful = m.isText() ? !m.getText().isBlank() : m.getImage() != null;
                if (useful) {
                    if (m.isText()) {
                        m.setText(m.getText().strip());
                    }
                    keep.add(m);
                } else {
                    cells.remove(m);
                }
            }
            commit(keep, "Continue (stopped)");
            made.clear();
        }

        private void commit(List<CellViewModel> keep, String name) {
            List<CellViewModel> present = new ArrayList<>();
            for (CellViewModel k : keep) {
                k.setPlaceholder(false);
                k.endGenerating();
                if (cells.contains(k)) {
                    present.add(k);
                }
            }
            if (!present.isEmpty()) {
                undo.add(new CellEdits.Insert(name, cells, CellEdits.placedIn(cells, present)));
            }
        }
    }

    /** What a regeneration produced: new text (text cells) or a new picture. */
    record Remade(String text, BufferedImage image) { }

    /**
     * Regenerate or vary seed: the cell shows the new text or previews; the old content becomes a version. The
     * recipe's mode picks the engine call: a continuation from the cells above (text is written with no picture
     * after it; a picture is painted right after the cells above, {@code Engine.paintNext}), a picture from the
     * sketch it came from, from its style reference, or from its prompt.
     */
    private final class RegenerateSpec implements GenerationJob.Spec<Remade> {
        private final CellViewModel cell;
        private final SamplingOptions options;
        private Recipe recipe;
        private boolean done;

        RegenerateSpec(CellViewModel cell, SamplingOptions options) {
            this.cell = cell;
            this.options = options;
        }

        @Override
        public GenerationJob.Work<Remade> start() {
            if (!cells.contains(cell) || cell.isGenerating()) {
                throw new IllegalStateException("the cell was deleted or is being generated");
            }
            Recipe old = cell.getRecipe();
            Recipe.Mode mode = old == null ? Recipe.Mode.CONTINUE : old.mode();
            Engine e = engine.engine();
            GenerationJob.Work<Remade> work;
            switch (mode) {
                case SEGMENT_TO_IMAGE -> {
                    CellViewModel sketch = old.contextCellIds().isEmpty() ? null : byId(old.contextCellIds().get(0));
                    if (sketch == null || !sketch.isSketch()) {
                        throw new IllegalStateException("the sketch this picture was painted from is gone");
                    }
                    BufferedImage map = SketchRasterizer.rasterize(sketch.getSketch());
                    String caption = sketch.getText();
                    recipe = new Recipe(mode, List.of(sketch.id()), "sketch", caption, options.seed(),
                            options.steps(), options.guidance(), options.scheduler().name(), options.maxNewTokens(),
                            engine.modelId(), System.currentTimeMillis());
                    work = (l, c) -> new Remade(null, e.segmentToImage(map, caption, options, l, c));
                }
                case STYLE_TO_IMAGE -> {
                    if (old.reference() == null) {
                        throw new IllegalStateException("this picture's style reference was not kept");
                    }
                    BufferedImage ref = old.reference();
                    String text = old.prompt();
                    recipe = withOptions(old, options);
                    work = (l, c) -> new Remade(null, e.styleToImage(ref, text, options, l, c));
                }
                case TEXT_TO_IMAGE -> {
                    String prompt = old.prompt();
                    recipe = withOptions(old, options);
                    work = (l, c) -> new Remade(null, e.textToImage(prompt, options, l, c));
                }
                default -> {
                    if (cell.isSketch()) {
                        throw new IllegalStateException("a sketch is drawn, not generated");
                    }
                    List<CellViewModel> ctx = contextUpTo(cell, false);
                    Document doc = documentOf(ctx);
                    recipe = recipe(Recipe.Mode.CONTINUE, ctx, options);
                    if (cell.isText()) {
                        // text is written with no picture after it
                        SamplingOptions o = options.withMaxImages(0);
                        work = (l, c) -> remade(e.continueDocument(doc, o, l, c));
                    } else {
                        // the picture that comes next after the cells above, with no text first
                        work = (l, c) -> new Remade(null, e.paintNext(doc, options, l, c));
                    }
                }
            }
            cell.beginGenerating(true);
            if (cell.isText()) {
                cell.setText("");
            }
            return work;
        }

        @Override
        public void token(String t) {
            if (cell.isText()) {
                cell.appendText(cell.getText().isEmpty() ? t.stripLeading() : t);
            }
        }

        @Override
        public void textEnd(String finalText) {
            if (cell.isText() && finalText != null) {
                cell.setText(finalText.strip());
            }
        }

        @Override
        public void preview(int step, int total, Image preview) {
            cell.setProgress(step / (double) total);
            cell.setStatus("step " + step + " of " + total);
            if (preview != null && !cell.isText()) {
                cell.setPreview(preview);
            }
        }

        @Override
        public void succeeded(Remade r) {
            CellState before = cell.committed();
            if (!cell.isText() && r.image() == null) {
                throw new IllegalStateException("the model ended the story before painting a picture; try "
                        + "another seed");
            }
            List<Version> history = new ArrayList<>(before.history());
            history.add(0, before.asVersion());
            CellState after = new CellState(cell.isText() ? (r.text() == null ? "" : r.text()) : before.text(),
                    cell.isText() ? null : r.image(), recipe, history);
            cell.endGenerating();
            cell.apply(after);
            undo.add(new CellEdits.State(cell.isText() ? "Rewrite text" : "Repaint picture", cell, before, after));
            done = true;
        }

        @Override
        public void finished(JobStatus status) {
            if (!done && cell.committed() != null) {
                CellState before = cell.committed();
                cell.endGenerating();
                cell.apply(before);
            } else {
                cell.endGenerating();
            }
        }
    }

    private static Remade remade(Engine.Continuation c) {
        String text = null;
        BufferedImage img = null;
        for (Document.Item item : c.items()) {
            if (item instanceof Document.Text t && text == null) {
                text = t.text().strip();
            } else if (item instanceof Document.Image im && img == null) {
                img = im.image();
            }
        }
        return new Remade(text, img);
    }

    private Recipe withOptions(Recipe old, SamplingOptions o) {
        return new Recipe(old.mode(), old.contextCellIds(), old.context(), old.prompt(), o.seed(), o.steps(),
                o.guidance(), o.scheduler().name(), o.maxNewTokens(), engine.modelId(), System.currentTimeMillis(),
                old.reference());
    }

    private CellViewModel byId(String id) {
        for (CellViewModel c : cells) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        return null;
    }
}
