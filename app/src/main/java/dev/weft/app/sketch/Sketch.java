package dev.weft.app.sketch;

import java.util.ArrayList;
import java.util.List;

/**
 * A segmentation sketch: a square map of {@code size} pixels, the actions drawn on it (oldest first) and the palette
 * its class ids refer to. The palette travels with the sketch, so a project keeps its maps when it is opened with
 * another model; sketches saved before palettes came from the model have none and are ADE20K's.
 */
public record Sketch(int size, List<SketchOp> ops, SegmentationPalette palette) {
    /** Map resolution (the engine resizes the map to its own input size). */
    public static final int SIZE = 256;

    public Sketch {
        if (size < 8 || size > 4096) {
            throw new IllegalArgumentException("sketch: expected a size of 8 to 4096, found " + size);
        }
        ops = ops == null ? List.of() : List.copyOf(ops);
        palette = palette == null ? SegmentationPalette.ade20k() : palette;
    }

    public Sketch(int size, List<SketchOp> ops) {
        this(size, ops, null);
    }

    /** An empty ADE20K sketch. */
    public static Sketch empty() {
        return empty(SegmentationPalette.ade20k());
    }

    public static Sketch empty(SegmentationPalette palette) {
        return new Sketch(SIZE, List.of(), palette);
    }

    public Sketch with(SketchOp op) {
        List<SketchOp> l = new ArrayList<>(ops);
        l.add(op);
        return new Sketch(size, l, palette);
    }

    /** The same drawing read with another palette (for a sketch nothing was drawn on yet). */
    public Sketch withPalette(SegmentationPalette p) {
        return new Sketch(size, ops, p);
    }

    /** True when nothing is drawn (no actions since the last clear). */
    public boolean isBlank() {
        return ops.isEmpty() || ops.get(ops.size() - 1) instanceof SketchOp.Clear;
    }
}
