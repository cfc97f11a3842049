package dev.weft.engine.world;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One training record of the world: a single captioned scene, a same-content pair in two styles, or a story.
 * {@link #generate} makes record {@code index} of the data set of {@code seed} from those two numbers alone, so
 * records can be made in any order, on any number of threads, with the same result.
 *
 * <p>{@code scenes} are the pictures in order; {@code captions} the full caption of each; for a story,
 * {@code story} holds the sentences (caption of the first scene, then one event per later scene).
 */
public record WorldSample(long index, Kind kind, List<Scene> scenes, List<Caption> captions, Story story) {

    public enum Kind { SCENE, STYLE, STORY;

        public String id() {
            return name().toLowerCase();
        }
    }

    /** Shares of the three kinds; the rest of 1 - stories - pairs are single scenes. */
    public record Mix(double stories, double pairs) {
        public static final Mix DEFAULT = new Mix(0.3, 0.2);

        public Mix {
            if (stories < 0 || pairs < 0 || stories + pairs > 1) {
                throw new IllegalArgumentException("mix: stories " + stories + " and pairs " + pairs
                        + " must be non-negative and sum to at most 1");
            }
        }
    }

    public WorldSample {
        scenes = List.copyOf(scenes);
        captions = List.copyOf(captions);
    }

    /** The random stream of record {@code index} of data set {@code seed}. */
    public static SplittableRandom random(long seed, long index) {
        long h = seed * 0x9E3779B97F4A7C15L ^ (index + 0x632BE59BD9B4E019L) * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 31;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        return new SplittableRandom(h);
    }

    public static WorldSample generate(long seed, long index, Mix mix) {
        SplittableRandom r = random(seed, index);
        double u = r.nextDouble();
        if (u < mix.stories()) {
            Story story = WorldGenerator.story(r);
            List<Caption> caps = story.scenes().stream().map(Scene::caption).toList();
            return new WorldSample(index, Kind.STORY, story.scenes(), caps, story);
        }
        if (u < mix.stories() + mix.pairs()) {
            Scene s = WorldGenerator.scene(r, 1, Scene.MAX_OBJECTS);
            Style other = Style.values()[(s.style().ordinal() + 1 + r.nextInt(Style.values().length - 1))
                    % Style.values().length];
            List<Scene> two = List.of(s, s.withStyle(other));
            return new WorldSample(index, Kind.STYLE, two, two.stream().map(Scene::caption).toList(), null);
        }
        Scene s = WorldGenerator.scene(r, 1, Scene.MAX_OBJECTS);
        return new WorldSample(index, Kind.SCENE, List.of(s), List.of(s.caption()), null);
    }

    /** The text that goes with each picture: the story's sentences, or the captions. */
    public List<String> texts() {
        List<String> out = new ArrayList<>();
        if (story != null) {
            story.sentences().forEach(x -> out.add(x.text()));
        } else {
            captions.forEach(c -> out.add(c.text()));
        }
        return out;
    }

    public List<Rendered> render() {
        return scenes.stream().map(Renderer::render).toList();
    }
}
