package dev.weft.app.project;

import java.awt.image.BufferedImage;

/** An earlier version of a cell: its content (text or picture) and the recipe that made it (null if hand-made). */
public record Version(String text, BufferedImage image, Recipe recipe) {
    public Version {
        text = text == null ? "" : text;
    }
}
