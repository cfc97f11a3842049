package dev.weft.app.sketch;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;

/**
 * The pad's current tool, class and brush size, and whether it paints live previews (shared by every sketch in the
 * storyboard). The class is kept as picked; each sketch reads it in its own palette ({@link #labelIn}).
 */
public final class SketchTools {
    public enum Tool { BRUSH, ERASER, FILL }

    public static final double[] BRUSH_SIZES = {4, 8, 16, 32, 64};

    private final ObjectProperty<Tool> tool = new SimpleObjectProperty<>(this, "tool", Tool.BRUSH);
    private final ObjectProperty<SegmentationPalette.Entry> label = new SimpleObjectProperty<>(this, "label",
            SegmentationPalette.ade20k().brushes().get(0));
    private final DoubleProperty brushSize = new SimpleDoubleProperty(this, "brushSize", 16);
    private final BooleanProperty live = new SimpleBooleanProperty(this, "live", false);

    public ObjectProperty<Tool> toolProperty() {
        return tool;
    }

    /** The class last picked (in whichever palette it was picked). */
    public ObjectProperty<SegmentationPalette.Entry> labelProperty() {
        return label;
    }

    public DoubleProperty brushSizeProperty() {
        return brushSize;
    }

    /** Live preview: every change to a sketch paints a quick preview beside it. */
    public BooleanProperty liveProperty() {
        return live;
    }

    /**
     * The picked class as a class of {@code p}: itself when {@code p} has it, else the class of the same name,
     * else the palette's first class.
     */
    public SegmentationPalette.Entry labelIn(SegmentationPalette p) {
        SegmentationPalette.Entry l = label.get();
        if (l != null && p.classes().contains(l) && l.id() != SegmentationPalette.UNLABELLED) {
            return l;
        }
        SegmentationPalette.Entry same = l == null ? null : p.byName(l.name());
        return same != null && same.id() != SegmentationPalette.UNLABELLED ? same : p.brushes().get(0);
    }

    /** The stroke the current tool makes through these points on a sketch drawn in {@code p}. */
    public SketchOp stroke(float[] points, SegmentationPalette p) {
        return new SketchOp.Stroke(labelIn(p).id(), (float) brushSize.get(), tool.get() == Tool.ERASER, points);
    }
}
