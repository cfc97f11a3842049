package dev.weft.engine.world;

import java.util.List;

/**
 * A scene caption: "a small red circle at the left and a large blue star at the top right on grass, in
 * watercolour." Background and style may be null (left out of the sentence).
 */
public record Caption(List<ObjectDescription> objects, Background background, Style style) implements Sentence {
    public Caption {
        objects = List.copyOf(objects);
        if (objects.isEmpty()) {
            throw new IllegalArgumentException("a caption names at least one object");
        }
    }

    @Override
    public String text() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < objects.size(); i++) {
            if (i > 0) {
                sb.append(i == objects.size() - 1 ? " and " : ", ");
            }
            sb.append(Grammar.nounPhrase(objects.get(i), true));
        }
        if (background != null) {
            sb.append(' ').append(background.phrase());
        }
        if (style != null) {
            sb.append(", in ").append(style.phrase());
        }
        return sb.append('.').toString();
    }
}
