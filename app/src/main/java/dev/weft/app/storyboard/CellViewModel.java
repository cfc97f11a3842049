package dev.weft.app.storyboard;

import dev.weft.app.common.FxImages;
import dev.weft.app.project.CellData;
import dev.weft.app.project.CellKind;
import dev.weft.app.project.Recipe;
import dev.weft.app.project.Version;
import dev.weft.app.sketch.Sketch;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.ObjectBinding;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.image.Image;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.UUID;

/**
 * One cell of the storyboard: a text or a picture, with the recipe that made it and its earlier versions. Changed
 * only through {@link StoryboardViewModel} (which records undoable edits), on the UI thread.
 */
public final class CellViewModel {
    private final String id;
    private final CellKind kind;
    private final ReadOnlyStringWrapper text = new ReadOnlyStringWrapper(this, "text", "");
    private final ReadOnlyObjectWrapper<BufferedImage> image = new ReadOnlyObjectWrapper<>(this, "image");
    private final ObjectProperty<Image> fxImage = new SimpleObjectProperty<>(this, "fxImage");
    private final ObjectProperty<Image> preview = new SimpleObjectProperty<>(this, "preview");
    private final ReadOnlyObjectWrapper<Recipe> recipe = new ReadOnlyObjectWrapper<>(this, "recipe");
    private final ReadOnlyObjectWrapper<Sketch> sketch = new ReadOnlyObjectWrapper<>(this, "sketch");
    private final ObservableList<Version> history = FXCollections.observableArrayList();
    /** One read-only view, kept: a fresh one per call would drop its listeners when it is collected. */
    private final ObservableList<Version> readOnlyHistory = FXCollections.unmodifiableObservableList(history);
    private final ReadOnlyBooleanWrapper generating = new ReadOnlyBooleanWrapper(this, "generating");
    private final DoubleProperty progress = new SimpleDoubleProperty(this, "progress", -1);
    private final ReadOnlyBooleanWrapper placeholder = new ReadOnlyBooleanWrapper(this, "placeholder");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    /** Sketch cells: the latest live preview (not saved) and what it is doing. */
    private final ReadOnlyObjectWrapper<Image> livePreview = new ReadOnlyObjectWrapper<>(this, "livePreview");
    private final ReadOnlyStringWrapper liveStatus = new ReadOnlyStringWrapper(this, "liveStatus", "");
    private final ObjectBinding<Image> display;
    /** While regenerating: the state to save and to fall back to. */
    private CellState committed;

    CellViewModel(String id, CellKind kind) {
        this.id = id;
        this.kind = kind;
        image.addListener((o, a, b) -> fxImage.set(b == null ? null : FxImages.toFx(b)));
        display = Bindings.createObjectBinding(
                () -> generating.get() && preview.get() != null ? preview.get() : fxImage.get(),
                generating, preview, fxImage);
    }

    static String newId() {
        return UUID.randomUUID().toString().substring(0, 13);
    }

    static CellViewModel text(String t) {
        CellViewModel c = new CellViewModel(newId(), CellKind.TEXT);
        c.text.set(t);
        return c;
    }

    static CellViewModel image(BufferedImage img) {
        CellViewModel c = new CellViewModel(newId(), CellKind.IMAGE);
        c.image.set(img);
        return c;
    }

    static CellViewModel sketch(dev.weft.app.sketch.SegmentationPalette palette) {
        CellViewModel c = new CellViewModel(newId(), CellKind.SKETCH);
        c.sketch.set(Sketch.empty(palette));
        return c;
    }

    static CellViewModel of(CellData d) {
        CellViewModel c = new CellViewModel(d.id(), d.kind());
        c.apply(new CellState(d.text(), d.image(), d.recipe(), d.history(), d.sketch()));
        return c;
    }

    /** A copy with a new id: same content, recipe and versions. */
    CellViewModel duplicate() {
        CellViewModel c = new CellViewModel(newId(), kind);
        c.apply(state());
        return c;
    }

    CellData toData() {
        CellState s = committed != null ? committed : state();
        return new CellData(id, kind, s.text(), s.image(), s.recipe(), s.history(), s.sketch());
    }

    CellState state() {
        return new CellState(text.get(), image.get(), recipe.get(), List.copyOf(history), sketch.get());
    }

    void apply(CellState s) {
        text.set(s.text() == null ? "" : s.text());
        image.set(s.image());
        recipe.set(s.recipe());
        history.setAll(s.history());
        sketch.set(kind == CellKind.SKETCH && s.sketch() == null ? Sketch.empty() : s.sketch());
    }

    void setText(String t) {
        text.set(t);
    }

    void appendText(String t) {
        text.set(text.get() + t);
    }

    void setImage(BufferedImage img) {
        image.set(img);
    }

    void setRecipe(Recipe r) {
        recipe.set(r);
    }

    void setPreview(Image img) {
        preview.set(img);
    }

    void beginGenerating(boolean keepState) {
        committed = keepState ? state() : null;
        generating.set(true);
        progress.set(-1);
    }

    void endGenerating() {
        committed = null;
        generating.set(false);
        preview.set(null);
        status.set("");
    }

    CellState committed() {
        return committed;
    }

    void setStatus(String s) {
        status.set(s);
    }

    void setProgress(double p) {
        progress.set(p);
    }

    public String id() {
        return id;
    }

    public CellKind kind() {
        return kind;
    }

    /** Text cells hold editable text; sketch cells use it as their caption. */
    public boolean isText() {
        return kind == CellKind.TEXT;
    }

    public boolean isSketch() {
        return kind == CellKind.SKETCH;
    }

    public Sketch getSketch() {
        return sketch.get();
    }

    public ReadOnlyObjectProperty<Sketch> sketchProperty() {
        return sketch.getReadOnlyProperty();
    }

    public String getText() {
        return text.get();
    }

    public ReadOnlyStringProperty textProperty() {
        return text.getReadOnlyProperty();
    }

    public BufferedImage getImage() {
        return image.get();
    }

    public ReadOnlyObjectProperty<BufferedImage> imageProperty() {
        return image.getReadOnlyProperty();
    }

    /** The picture to show: the step preview while generating, else the picture. */
    public ObjectBinding<Image> displayImageBinding() {
        return display;
    }

    public Recipe getRecipe() {
        return recipe.get();
    }

    public ReadOnlyObjectProperty<Recipe> recipeProperty() {
        return recipe.getReadOnlyProperty();
    }

    /** Earlier versions, newest first. */
    public ObservableList<Version> history() {
        return readOnlyHistory;
    }

    public boolean isGenerating() {
        return generating.get();
    }

    public ReadOnlyBooleanProperty generatingProperty() {
        return generating.getReadOnlyProperty();
    }

    public DoubleProperty progressProperty() {
        return progress;
    }

    /** A cell a running Continue is still filling in (not yet part of the undo history). */
    public boolean isPlaceholder() {
        return placeholder.get();
    }

    public ReadOnlyBooleanProperty placeholderProperty() {
        return placeholder.getReadOnlyProperty();
    }

    void setPlaceholder(boolean p) {
        placeholder.set(p);
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** Sketch cells: the latest live preview of the picture the sketch would paint (not saved). */
    public ReadOnlyObjectProperty<Image> livePreviewProperty() {
        return livePreview.getReadOnlyProperty();
    }

    void setLivePreview(Image i) {
        livePreview.set(i);
    }

    /** Sketch cells: "painting…", "step 2 of 6", or the error of the last live preview; "" when idle. */
    public ReadOnlyStringProperty liveStatusProperty() {
        return liveStatus.getReadOnlyProperty();
    }

    void setLiveStatus(String s) {
        liveStatus.set(s);
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase() + " cell " + id + (kind == CellKind.TEXT ? " \"" + text.get() + "\"" : "");
    }
}
