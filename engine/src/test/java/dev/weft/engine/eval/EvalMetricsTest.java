package dev.weft.engine.eval;

import dev.weft.engine.world.Caption;
import dev.weft.engine.world.Colour;
import dev.weft.engine.world.ObjectClass;
import dev.weft.engine.world.ObjectDescription;
import dev.weft.engine.world.Position;
import dev.weft.engine.world.Size;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The metrics on hand-made inputs (no native code). */
class EvalMetricsTest {
    private static final ObjectClass CIRCLE = ObjectClass.CIRCLE;
    private static final ObjectClass STAR = ObjectClass.STAR;

    private static ObjectDescription d(Size s, Colour c, ObjectClass k, Position p) {
        return new ObjectDescription(s, c, k, p);
    }

    @Test
    void iouOverADataSet() {
        Iou iou = new Iou(3);
        // truth 0 0 1 1 / prediction 0 1 1 2: class 0: I 1 U 2; class 1: I 1 U 3; class 2: I 0 U 1
        iou.add(new byte[] {0, 0, 1, 1}, new byte[] {0, 1, 1, 2});
        assertEquals(0.5, iou.iou(0), 1e-12);
        assertEquals(1 / 3.0, iou.iou(1), 1e-12);
        assertEquals(0.0, iou.iou(2), 1e-12);
        assertEquals((0.5 + 1 / 3.0 + 0) / 3, iou.mean(), 1e-12);
        // a second pair is summed in, not averaged per picture: class 0 I 3 U 4
        iou.add(new byte[] {0, 0, 0, 0}, new byte[] {0, 0, 0, 0});
        assertEquals(5 / 6.0, iou.iou(0), 1e-12);
        Iou only = new Iou(13);
        only.add(new byte[] {0, 5}, new byte[] {0, 5});
        assertEquals(1.0, only.mean(), 1e-12, "classes that never occur do not count");
        assertTrue(Double.isNaN(only.iou(7)));
    }

    @Test
    void bootstrapStandardErrorOfARatioIsTheBinomialOne() {
        // 200 samples of one item each, 60 right: p 0.3, binomial standard error sqrt(p (1 - p) / n) = 0.0324
        Score s = new Score();
        for (int i = 0; i < 200; i++) {
            s.add(i, i % 10 < 3 ? 1 : 0, 1);
        }
        assertEquals(0.3, s.value(), 1e-12);
        double se = s.bootstrapSe(200, Bootstrap.REPS, 7);
        assertEquals(Math.sqrt(0.3 * 0.7 / 200), se, 0.004, "bootstrap " + se);
        assertEquals(se, s.bootstrapSe(200, Bootstrap.REPS, 7), 0, "same seed, same figure");
        // all alike: no spread; nothing added, or a single sample: no figure
        Score same = new Score();
        for (int i = 0; i < 20; i++) {
            same.add(i, 1, 2);
        }
        assertEquals(0.0, same.bootstrapSe(20, Bootstrap.REPS, 7), 1e-12);
        Score empty = new Score();
        assertTrue(Double.isNaN(empty.value()));
        assertTrue(Double.isNaN(empty.bootstrapSe(10, Bootstrap.REPS, 7)));
        // one of 10 samples added (twice): the other 9 count as 0 / 0, so every redraw that has a ratio has 3 / 4
        Score sparse = new Score();
        sparse.add(0, 1, 2);
        sparse.add(0, 2, 2);
        assertEquals(0.75, sparse.value(), 1e-12);
        assertEquals(0.0, sparse.bootstrapSe(10, Bootstrap.REPS, 7), 1e-12);
        Score one = new Score();
        one.add(0, 1, 2);
        assertTrue(Double.isNaN(one.bootstrapSe(1, Bootstrap.REPS, 7)));
    }

    @Test
    void bootstrapStandardErrorOfMeanIou() {
        Iou iou = new Iou(2);
        iou.add(new byte[] {0, 1}, new byte[] {0, 1});
        assertTrue(Double.isNaN(iou.bootstrapSe(Bootstrap.REPS, 7)), "one pair: no figure");
        iou.add(new byte[] {0, 1}, new byte[] {1, 0});
        iou.add(new byte[] {0, 0}, new byte[] {0, 0});
        double se = iou.bootstrapSe(Bootstrap.REPS, 7);
        assertTrue(se > 0.05 && se < 0.5, "pairs that disagree spread the mean: " + se);
        Iou alike = new Iou(2);
        for (int i = 0; i < 5; i++) {
            alike.add(new byte[] {0, 1}, new byte[] {0, 1});
        }
        assertEquals(0.0, alike.bootstrapSe(Bootstrap.REPS, 7), 1e-12);
    }

    @Test
    void objectsPairOneToOneByClass() {
        List<ObjectDescription> named = List.of(d(Size.SMALL, Colour.RED, CIRCLE, Position.LEFT),
                d(Size.LARGE, Colour.BLUE, STAR, Position.TOP));
        // exact
        assertEquals(new ObjectMatch.Tally(2, 2, 2, 2, 2), ObjectMatch.match(named, named));
        // the star is green and in the centre; the circle has no size in the candidate
        List<ObjectDescription> found = List.of(d(null, Colour.RED, CIRCLE, Position.LEFT),
                d(Size.LARGE, Colour.GREEN, STAR, Position.CENTER));
        assertEquals(new ObjectMatch.Tally(2, 2, 1, 1, 1), ObjectMatch.match(named, found));
        // a missing star and an extra circle: max(2, 2) objects, one pair
        List<ObjectDescription> other = List.of(d(null, Colour.RED, CIRCLE, Position.LEFT),
                d(null, Colour.BLUE, CIRCLE, Position.TOP));
        assertEquals(new ObjectMatch.Tally(2, 1, 1, 0, 1), ObjectMatch.match(named, other));
        // extra objects count against the score
        List<ObjectDescription> more = List.of(named.get(0), named.get(1), d(null, Colour.RED, STAR, Position.RIGHT));
        assertEquals(3, ObjectMatch.match(named, more).denominator());
        assertEquals(2, ObjectMatch.match(named, more).colour(), "the better-agreeing star is paired");
        // nothing found
        assertEquals(new ObjectMatch.Tally(2, 0, 0, 0, 0), ObjectMatch.match(named, List.of()));
        assertEquals(ObjectMatch.Tally.EMPTY, ObjectMatch.match(List.of(), List.of()));
        // attributes the reference leaves out agree with anything
        assertEquals(new ObjectMatch.Tally(1, 1, 1, 1, 1),
                ObjectMatch.match(List.of(d(null, null, CIRCLE, null)), List.of(named.get(0))));
    }

    @Test
    void greedyPrefersTheBetterPair() {
        List<ObjectDescription> named = List.of(d(null, Colour.RED, CIRCLE, Position.LEFT),
                d(null, Colour.BLUE, CIRCLE, Position.RIGHT));
        List<ObjectDescription> found = List.of(d(null, Colour.BLUE, CIRCLE, Position.RIGHT),
                d(null, Colour.RED, CIRCLE, Position.LEFT));
        assertEquals(new ObjectMatch.Tally(2, 2, 2, 2, 2), ObjectMatch.match(named, found), "unnamed sizes agree");
    }

    @Test
    void storyStatesFollowTheTextAndCarryOnWhenItBreaks() {
        String opening = "a small red circle at the left and a large blue star at the top on grass, in flat style.";
        List<Map<Integer, ObjectDescription>> s = StoryCheck.expectedStates(opening,
                List.of("then the red circle becomes yellow.", "", "then a small pink heart appears at the right.",
                        "circle circle purple.", "then the blue star disappears."));
        assertEquals(5, s.size());
        assertEquals(Colour.YELLOW, s.get(0).get(0).colour());
        assertEquals(Colour.BLUE, s.get(0).get(1).colour());
        assertEquals(s.get(0), s.get(1), "no sentence: nothing changes");
        assertEquals(3, s.get(2).size());
        assertEquals(ObjectClass.HEART, s.get(2).get(2).cls());
        assertEquals(s.get(2), s.get(3), "a sentence that does not parse: the last coherent state carries on");
        assertEquals(s.get(2), s.get(4), "and the story stays broken afterwards");

        // frames: identity by class, colour as expected
        List<SceneReader.Found> frame = List.of(
                new SceneReader.Found(CIRCLE, Colour.YELLOW, Position.LEFT, 50, 28, 64),
                new SceneReader.Found(STAR, Colour.RED, Position.TOP, 80, 64, 28));
        ObjectMatch.Tally t = StoryCheck.frame(s.get(0), frame);
        assertEquals(2, t.denominator());
        assertEquals(2, t.cls());
        assertEquals(1, t.colour());
        assertEquals(3, StoryCheck.frame(s.get(2), frame).denominator(), "the heart is missing");

        int[] p = StoryCheck.parsed(List.of("then it grows. then it shrinks.", "", "zebra."));
        assertEquals(2, p[0]);
        assertEquals(4, p[1], "two sentences, one frame without text, one that does not parse");
    }

    @Test
    void componentsMergePerCellAndDropSpecks() {
        int n = EvalNet.OUTPUT;
        byte[] cls = new byte[n * n];
        byte[] col = new byte[n * n];
        Arrays.fill(col, (byte) EvalNet.NO_COLOUR);
        int boat = ObjectClass.BOAT.classId();
        // a boat in two pieces (sail above hull) in the top-right cell, mostly red, a few blue pixels
        fill(cls, col, 48, 4, 52, 10, boat, Colour.RED.ordinal());
        fill(cls, col, 46, 13, 56, 16, boat, Colour.RED.ordinal());
        fill(cls, col, 46, 13, 47, 16, boat, Colour.BLUE.ordinal());
        // a circle in the centre, green
        fill(cls, col, 26, 26, 38, 38, CIRCLE.classId(), Colour.GREEN.ordinal());
        // a 2-pixel speck of star at the bottom left
        fill(cls, col, 5, 60, 7, 61, STAR.classId(), Colour.GREEN.ordinal());
        List<SceneReader.Found> f = SceneReader.objects(cls, col);
        assertEquals(2, f.size(), f.toString());
        SceneReader.Found b = f.get(0);
        assertEquals(ObjectClass.BOAT, b.cls());
        assertEquals(Colour.RED, b.colour());
        assertEquals(Position.TOP_RIGHT, b.position());
        assertEquals(4 * 6 + 10 * 3, b.area(), "both pieces");
        assertEquals(CIRCLE, f.get(1).cls());
        assertEquals(Position.CENTER, f.get(1).position());
        assertEquals(Colour.GREEN, f.get(1).colour());
        // cell borders on the 128-pixel layout
        assertEquals(Position.TOP_LEFT, SceneReader.cell(45.9, 0));
        assertEquals(Position.CENTER, SceneReader.cell(46, 81.9));
        assertEquals(Position.BOTTOM_RIGHT, SceneReader.cell(82, 127));
    }

    /** Fills [x0, x1) x [y0, y1) of the 64-grid maps. */
    private static void fill(byte[] cls, byte[] col, int x0, int y0, int x1, int y1, int k, int colour) {
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                cls[y * EvalNet.OUTPUT + x] = (byte) k;
                col[y * EvalNet.OUTPUT + x] = (byte) colour;
            }
        }
    }

    @Test
    void captionsAreReadAfterThePrompt() {
        assertEquals("a red circle.", EvalRunner.stripPrompt("a photo of a red circle."));
        Caption c = EvalRunner.readCaption("a red circle at the left on grass, in neon. then it grows.").orElseThrow();
        assertEquals(1, c.objects().size());
        assertEquals(Position.LEFT, c.objects().get(0).position());
        // the model carried on the prompt's article
        assertEquals(CIRCLE, EvalRunner.readCaption("small red circle.").orElseThrow().objects().get(0).cls());
        assertTrue(EvalRunner.readCaption("then it grows.").isEmpty(), "an event is not a caption");
        assertTrue(EvalRunner.readCaption("<unk> zebra photo").isEmpty(), "words outside the grammar do not parse");
        assertTrue(EvalRunner.readCaption("").isEmpty());
        assertNull(EvalRunner.readCaption("a circle.").orElseThrow().objects().get(0).colour());
    }
}
