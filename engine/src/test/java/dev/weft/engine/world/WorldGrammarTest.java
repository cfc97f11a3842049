package dev.weft.engine.world;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorldGrammarTest {

    @Test
    void captionsRoundTrip() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 2000; i++) {
            Scene s = WorldGenerator.scene(r, 1, Scene.MAX_OBJECTS);
            Caption c = s.caption();
            String text = c.text();
            Optional<Sentence> parsed = Grammar.parse(text);
            assertTrue(parsed.isPresent(), () -> "does not parse: " + text);
            assertEquals(c, parsed.get(), text);
            // every attribute named, in drawing order
            Caption p = (Caption) parsed.get();
            assertEquals(s.background(), p.background());
            assertEquals(s.style(), p.style());
            for (int k = 0; k < s.objects().size(); k++) {
                SceneObject o = s.objects().get(k);
                assertEquals(new ObjectDescription(o.size(), o.colour(), o.cls(), o.position()), p.objects().get(k));
            }
            // the text reads the same after a trip through the token ids
            assertEquals(text, Vocabulary.decode(Vocabulary.encode(text)));
        }
    }

    @Test
    void exampleSentences() {
        Caption c = (Caption) Grammar.parse("A small red circle at the left on grass, in watercolour.").orElseThrow();
        assertEquals(List.of(new ObjectDescription(Size.SMALL, Colour.RED, ObjectClass.CIRCLE, Position.LEFT)),
                c.objects());
        assertEquals(Background.GRASS, c.background());
        assertEquals(Style.WATERCOLOUR, c.style());
        Event e = (Event) Grammar.parse("then the red circle moves to the right.").orElseThrow();
        assertEquals(Event.move(Event.Subject.the(Colour.RED, ObjectClass.CIRCLE), Position.RIGHT), e);
        assertEquals(Event.become(Event.Subject.IT, Colour.BLUE), Grammar.parse("then it becomes blue.").orElseThrow());
        assertEquals(Event.become(Event.Subject.IT, Colour.BLUE).withThen(false),
                Grammar.parse("it becomes blue.").orElseThrow());
        assertEquals("a red star appears.", Grammar.parse("a red star appears.").orElseThrow().text());
        Event a = (Event) Grammar.parse("then an orange star appears at the top left.").orElseThrow();
        assertEquals(Event.Type.APPEAR, a.type());
        assertEquals(Colour.ORANGE, a.appeared().colour());
        assertEquals(Position.TOP_LEFT, a.to());
        // shorter forms parse; absent attributes are null
        Caption shortC = (Caption) Grammar.parse("a circle.").orElseThrow();
        assertEquals(new ObjectDescription(null, null, ObjectClass.CIRCLE, null), shortC.objects().get(0));
        assertTrue(Grammar.parses("a blue star and a tree at night."));
        assertTrue(Grammar.parses("a star, a moon and a large tree at the center, in pixel art."));
        assertTrue(Grammar.parses("A Red Circle ."));
        assertTrue(Grammar.parses("then the fish grows."));
        assertTrue(Grammar.parses("then a heart appears."));
    }

    @Test
    void rejectsUngrammaticalSentences() {
        List<String> bad = List.of(
                "", ".", "a red circle", "red circle.", "the red circle.", "a red red circle.", "a circle red.",
                "a orange circle.", "an red circle.", "an circle.", "a small circle at left.", "a circle at the.",
                "a circle at the middle.", "a circle at the left top.", "a circle on the grass.", "a circle in sky.",
                "a circle, in oil.", "a circle in watercolour.", "a circle, a star.", "a circle and a star and a moon.",
                "a circle, and a star.", "a zebra on grass.", "a circle on grass on sand.", "a circle, in neon, in flat style.",
                "a circle.. ", "a circle. a star.", "then.", "then it.", "then it moves.", "then it moves to the.",
                "then it moves to left.", "then it becomes.", "then it becomes large.", "then the circle grows big.",
                "then a circle moves to the left.", "then the small circle grows.", "then it appears.",
                "then a circle appears on grass.", "it grows on grass.", "then it grows", "a circle appears, in neon.",
                "then a circle at the left.", "then the circle.", "then then it grows.",
                "the red circle moves to the right,", "a small red circle at the left on grass , in watercolour",
                "a circle <|image|>.", "a circle, in pixel.", "a circle, in flat.");
        for (String s : bad) {
            assertFalse(Grammar.parses(s), () -> "should not parse: '" + s + "'");
        }
    }

    @Test
    void eventsRoundTrip() {
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 400; i++) {
            Story st = WorldGenerator.story(r);
            for (Sentence s : st.sentences()) {
                assertEquals(Optional.of(s), Grammar.parse(s.text()), s.text());
            }
        }
    }

    @Test
    void parseShareCountsSentences() {
        assertEquals(1.0, Grammar.parseShare("<s>a red circle on grass.<|beginofimage|><|image|> then it grows.</s>"));
        assertEquals(0.5, Grammar.parseShare("a red circle. circle red."));
        assertEquals(0.5, Grammar.parseShare("a red circle. then it"), 1e-9); // an unfinished sentence fails
        assertEquals(0.0, Grammar.parseShare(""));
        assertEquals(3, Grammar.sentences("a b. c. d").size());
    }
}
