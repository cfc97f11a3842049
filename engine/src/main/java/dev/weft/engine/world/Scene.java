package dev.weft.engine.world;

import java.util.List;

/**
 * A picture's content: a background, a style and up to {@link #MAX_OBJECTS} objects drawn in list order (later
 * ones on top). {@code detailSeed} fixes the background decoration (clouds, stars, waves) and the style's texture,
 * so the scenes of a story share their background and two renderings of one scene differ only in style.
 */
public record Scene(Background background, Style style, List<SceneObject> objects, long detailSeed) {
    public static final int MAX_OBJECTS = 3;

    public Scene {
        objects = List.copyOf(objects);
    }

    public Scene withStyle(Style s) {
        return new Scene(background, s, objects, detailSeed);
    }

    public Scene withObjects(List<SceneObject> objs) {
        return new Scene(background, style, objs, detailSeed);
    }

    public SceneObject byId(int id) {
        for (SceneObject o : objects) {
            if (o.id() == id) {
                return o;
            }
        }
        return null;
    }

    /** What the caption of this scene says. */
    public Caption caption() {
        return new Caption(objects.stream().map(SceneObject::describe).toList(), background, style);
    }
}
