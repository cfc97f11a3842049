package dev.weft.engine.world;

import java.awt.Shape;
import java.awt.geom.AffineTransform;

/**
 * One object of a scene. {@code id} is its identity within a story (it persists while the object moves and
 * changes). The named attributes are class, colour, size and position; {@code dx, dy} (a jitter in pixels around
 * the cell centre), {@code tilt} (degrees) and {@code mirrored} only vary the picture.
 */
public record SceneObject(int id, ObjectClass cls, Colour colour, Size size, Position position,
                          double dx, double dy, double tilt, boolean mirrored) {

    public double x() {
        return position.x() + dx;
    }

    public double y() {
        return position.y() + dy;
    }

    public double radius() {
        return size.radius();
    }

    /** Unit coordinates to pixels of an image of {@code side} pixels (the layout is defined on 128). */
    public AffineTransform transform(double side) {
        double k = side / 128.0;
        AffineTransform t = new AffineTransform();
        t.translate(x() * k, y() * k);
        t.rotate(Math.toRadians(tilt));
        t.scale(radius() * k * (mirrored ? -1 : 1), radius() * k);
        return t;
    }

    public Shape silhouette(double side) {
        return transform(side).createTransformedShape(cls.silhouette());
    }

    public SceneObject withColour(Colour c) {
        return new SceneObject(id, cls, c, size, position, dx, dy, tilt, mirrored);
    }

    public SceneObject withSize(Size s) {
        return new SceneObject(id, cls, colour, s, position, dx, dy, tilt, mirrored);
    }

    public SceneObject withPosition(Position p) {
        return new SceneObject(id, cls, colour, size, p, dx, dy, tilt, mirrored);
    }

    /** What a caption says about it. */
    public ObjectDescription describe() {
        return new ObjectDescription(size, colour, cls, position);
    }
}
