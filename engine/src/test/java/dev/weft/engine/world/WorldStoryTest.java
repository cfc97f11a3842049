package dev.weft.engine.world;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stories keep object identity, and their text alone lets a reader follow every object. */
class WorldStoryTest {

    @Test
    void storiesKeepIdentityAndTheTextTracksIt() {
        SplittableRandom r = new SplittableRandom(21);
        for (int i = 0; i < 500; i++) {
            Story st = WorldGenerator.story(r);
            int n = st.scenes().size();
            assertTrue(n >= Story.MIN_SCENES && n <= Story.MAX_SCENES, "3-6 scenes");
            for (int k = 1; k < n; k++) {
                Scene a = st.scenes().get(k - 1);
                Scene b = st.scenes().get(k);
                assertEquals(a.background(), b.background());
                assertEquals(a.style(), b.style());
                assertEquals(a.detailSeed(), b.detailSeed(), "same backdrop throughout");
                int subject = st.subjects().get(k);
                int changed = 0;
                for (SceneObject o : b.objects()) {
                    SceneObject before = a.byId(o.id());
                    if (before == null) {
                        assertEquals(Event.Type.APPEAR, st.event(k).type());
                        assertEquals(subject, o.id());
                        continue;
                    }
                    assertEquals(before.cls(), o.cls(), "an object keeps its class");
                    assertEquals(before.tilt(), o.tilt(), "and its look");
                    assertEquals(before.mirrored(), o.mirrored());
                    if (!before.equals(o)) {
                        changed++;
                        assertEquals(subject, o.id(), "only the subject changes");
                    }
                }
                if (st.event(k).type() == Event.Type.DISAPPEAR) {
                    assertEquals(a.objects().size() - 1, b.objects().size());
                    assertTrue(b.byId(subject) == null && a.byId(subject) != null);
                } else if (st.event(k).type() != Event.Type.APPEAR) {
                    assertEquals(1, changed, "the event changes its subject: " + st.event(k).text());
                }
            }
            // the text alone: read it back, resolving "it" and "the red circle", and compare with the scenes
            List<String> text = st.sentences().stream().map(Sentence::text).toList();
            StoryReader.Reading rd = StoryReader.read(text).orElseThrow(() -> new AssertionError("unreadable: " + text));
            assertEquals(st.subjects(), rd.subjects(), "references resolve to the right objects: " + text);
            for (int k = 0; k < n; k++) {
                Map<Integer, ObjectDescription> truth = new LinkedHashMap<>();
                for (SceneObject o : st.scenes().get(k).objects()) {
                    truth.put(o.id(), o.describe());
                }
                assertEquals(truth, rd.states().get(k), "scene " + k + " of " + text);
            }
        }
    }

    @Test
    void unresolvableReferencesAreRejected() {
        String open = "a small red circle at the left and a large blue star at the right on grass, in flat style.";
        assertTrue(StoryReader.read(List.of(open, "then the red circle grows.")).isPresent());
        assertTrue(StoryReader.read(List.of(open, "then it grows.")).isEmpty(), "'it' needs one antecedent");
        assertTrue(StoryReader.read(List.of(open, "then the green circle grows.")).isEmpty(), "no green circle");
        assertTrue(StoryReader.read(List.of(open, "then the blue star grows.")).isEmpty(), "already large");
        assertTrue(StoryReader.read(List.of(open, "then the red circle disappears.", "then it grows.")).isEmpty());
        assertTrue(StoryReader.read(List.of("then it grows.")).isEmpty(), "a story opens with a caption");
        String two = "a red circle at the left and a blue circle at the right on grass.";
        assertTrue(StoryReader.read(List.of(two, "then the circle moves to the top.")).isEmpty(), "ambiguous");
        StoryReader.Reading ok = StoryReader.read(List.of(two, "then the blue circle moves to the top.",
                "it becomes red.", "then a small green star appears at the bottom.")).orElseThrow();
        assertEquals(List.of(-1, 1, 1, 2), ok.subjects());
        assertEquals(Position.TOP, ok.states().get(3).get(1).position());
        assertEquals(Colour.RED, ok.states().get(3).get(1).colour());
        assertNotEquals(ok.states().get(1), ok.states().get(2));
    }
}
