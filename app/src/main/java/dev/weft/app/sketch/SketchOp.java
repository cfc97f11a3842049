package dev.weft.app.sketch;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.util.Arrays;

/**
 * One action on a sketch, kept as data (Gluon doodle-trace): the pad replays them and the segmentation map is
 * rasterized from them only when a picture is painted. Coordinates are in map pixels ({@link Sketch#size()}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = SketchOp.Stroke.class, name = "stroke"),
        @JsonSubTypes.Type(value = SketchOp.Fill.class, name = "fill"),
        @JsonSubTypes.Type(value = SketchOp.Clear.class, name = "clear")})
public sealed interface SketchOp permits SketchOp.Stroke, SketchOp.Fill, SketchOp.Clear {

    /**
     * A brush or eraser stroke through points.
     *
     * @param label  the class painted (ignored by the eraser, which paints "unlabelled")
     * @param size   brush diameter in map pixels
     * @param points x0, y0, x1, y1, ... (one point draws a dot)
     */
    record Stroke(int label, float size, boolean eraser, float[] points) implements SketchOp {
        public Stroke {
            if (points == null || points.length < 2 || points.length % 2 != 0) {
                throw new IllegalArgumentException("stroke: expected x, y pairs, found "
                        + (points == null ? "none" : points.length + " numbers"));
            }
            if (!(size > 0)) {
                throw new IllegalArgumentException("stroke: expected a positive brush size, found " + size);
            }
            points = points.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Stroke s && s.label == label && s.size == size && s.eraser == eraser
                    && Arrays.equals(s.points, points);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(points) * 31 + label;
        }

        @Override
        public String toString() {
            return "Stroke[label=" + label + ", size=" + size + ", eraser=" + eraser + ", points="
                    + points.length / 2 + "]";
        }
    }

    /** Flood fill of the connected region under (x, y) with a class. */
    record Fill(int label, float x, float y) implements SketchOp { }

    /** Everything back to unlabelled. */
    record Clear() implements SketchOp { }
}
