package dev.weft.app.sketch;

import java.util.ArrayList;
import java.util.List;

/** A segmentation sketch: a square map of {@code size} pixels and the actions drawn on it, oldest first. */
public record Sketch(int size, List<SketchOp> ops) {
    /** Map resolution (the engine resizes the map to its own input size). */
    public static final int SIZE = 256;

    public Sketch {
        if (size < 8 || size > 4096) {
            throw new IllegalArgumentException("sketch: expected a size of 8 to 4096, found " + size);
        }
        ops = ops == null ? List.of() : List.copyOf(ops);
    }

    public static Sketch empty() {
        return new Sketch(SIZE, List.of());
    }

    public Sketch with(SketchOp op) {
        List<SketchOp> l = new ArrayList<>(ops);
        l.add(op);
        return new Sketch(size, l);
    }

    /** True when nothing is drawn (no actions since the last clear). */
    public boolean isBlank() {
        return ops.isEmpty() || ops.get(ops.size() - 1) instanceof SketchOp.Clear;
    }
}
