package dev.weft.engine.world;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every class, colour, size, position, background, style, event and record kind is reachable. */
class WorldCoverageTest {

    @Test
    void everyAttributeIsReachable() {
        Set<ObjectClass> classes = EnumSet.noneOf(ObjectClass.class);
        Set<Colour> colours = EnumSet.noneOf(Colour.class);
        Set<Size> sizes = EnumSet.noneOf(Size.class);
        Set<Position> positions = EnumSet.noneOf(Position.class);
        Set<Background> backgrounds = EnumSet.noneOf(Background.class);
        Set<Style> styles = EnumSet.noneOf(Style.class);
        Set<Event.Type> events = EnumSet.noneOf(Event.Type.class);
        Set<WorldSample.Kind> kinds = EnumSet.noneOf(WorldSample.Kind.class);
        int[] objectsPerScene = new int[Scene.MAX_OBJECTS + 1];
        int[] storyLengths = new int[Story.MAX_SCENES + 1];
        boolean pronoun = false;
        boolean noThen = false;
        for (long i = 0; i < 1500; i++) {
            WorldSample s = WorldSample.generate(3, i, WorldSample.Mix.DEFAULT);
            kinds.add(s.kind());
            for (Scene sc : s.scenes()) {
                backgrounds.add(sc.background());
                styles.add(sc.style());
                objectsPerScene[sc.objects().size()]++;
                for (SceneObject o : sc.objects()) {
                    classes.add(o.cls());
                    colours.add(o.colour());
                    sizes.add(o.size());
                    positions.add(o.position());
                    assertTrue(sc.background().allows(o.colour()), "no hidden colour");
                }
            }
            if (s.story() != null) {
                storyLengths[s.scenes().size()]++;
                for (int k = 1; k < s.scenes().size(); k++) {
                    Event e = s.story().event(k);
                    events.add(e.type());
                    pronoun |= e.subject() != null && e.subject().pronoun();
                    noThen |= !e.then();
                }
            }
        }
        assertEquals(EnumSet.allOf(ObjectClass.class), classes);
        assertEquals(EnumSet.allOf(Colour.class), colours);
        assertEquals(EnumSet.allOf(Size.class), sizes);
        assertEquals(EnumSet.allOf(Position.class), positions);
        assertEquals(EnumSet.allOf(Background.class), backgrounds);
        assertEquals(EnumSet.allOf(Style.class), styles);
        assertEquals(EnumSet.allOf(Event.Type.class), events);
        assertEquals(EnumSet.allOf(WorldSample.Kind.class), kinds);
        assertTrue(pronoun && noThen, "'it' and events without 'then' occur");
        for (int n = 1; n <= Scene.MAX_OBJECTS; n++) {
            assertTrue(objectsPerScene[n] > 0, n + " objects per scene");
        }
        for (int n = Story.MIN_SCENES; n <= Story.MAX_SCENES; n++) {
            assertTrue(storyLengths[n] > 0, "stories of " + n + " scenes");
        }
        assertEquals(0, storyLengths[0] + storyLengths[1] + storyLengths[2], "no story shorter than 3 scenes");
        assertTrue(ObjectClass.values().length >= 8 && Colour.values().length >= 8
                && Background.values().length >= 4 && Style.values().length >= 5);
    }

    @Test
    void mixIsRespected() {
        int stories = 0;
        int pairs = 0;
        int n = 2000;
        for (long i = 0; i < n; i++) {
            WorldSample.Kind k = WorldSample.generate(9, i, new WorldSample.Mix(0.5, 0.25)).kind();
            stories += k == WorldSample.Kind.STORY ? 1 : 0;
            pairs += k == WorldSample.Kind.STYLE ? 1 : 0;
        }
        assertEquals(0.5, stories / (double) n, 0.05);
        assertEquals(0.25, pairs / (double) n, 0.05);
    }
}
