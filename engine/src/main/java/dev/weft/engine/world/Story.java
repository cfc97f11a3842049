package dev.weft.engine.world;

import java.util.List;

/**
 * A story: 3 to 6 scenes with one background and style, and one sentence per scene. Sentence 0 is the caption of
 * scene 0; sentence k (k >= 1) is the {@link Event} that turns scene k-1 into scene k. {@code subjects.get(k)} is
 * the id of the object event k is about (for an appearance, the new object's id; -1 for sentence 0). Object ids
 * persist across scenes.
 */
public record Story(List<Scene> scenes, List<Sentence> sentences, List<Integer> subjects) {
    public static final int MIN_SCENES = 3;
    public static final int MAX_SCENES = 6;

    public Story {
        scenes = List.copyOf(scenes);
        sentences = List.copyOf(sentences);
        subjects = List.copyOf(subjects);
        if (scenes.size() != sentences.size() || scenes.size() != subjects.size()) {
            throw new IllegalArgumentException("one sentence and one subject per scene");
        }
    }

    public Event event(int k) {
        return (Event) sentences.get(k);
    }
}
