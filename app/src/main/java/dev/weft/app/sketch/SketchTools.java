package dev.weft.app.sketch;

import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;

/** The pad's current tool, class and brush size (shared by every sketch in the storyboard). */
public final class SketchTools {
    public enum Tool { BRUSH, ERASER, FILL }

    public static final double[] BRUSH_SIZES = {4, 8, 16, 32, 64};

    private final ObjectProperty<Tool> tool = new SimpleObjectProperty<>(this, "tool", Tool.BRUSH);
    private final ObjectProperty<SegmentationPalette.Entry> label = new SimpleObjectProperty<>(this, "label",
            SegmentationPalette.COMMON.get(0));
    private final DoubleProperty brushSize = new SimpleDoubleProperty(this, "brushSize", 16);

    public ObjectProperty<Tool> toolProperty() {
        return tool;
    }

    public ObjectProperty<SegmentationPalette.Entry> labelProperty() {
        return label;
    }

    public DoubleProperty brushSizeProperty() {
        return brushSize;
    }

    /** The stroke the current tool makes through these points. */
    public SketchOp stroke(float[] points) {
        return new SketchOp.Stroke(label.get().id(), (float) brushSize.get(), tool.get() == Tool.ERASER, points);
    }
}
