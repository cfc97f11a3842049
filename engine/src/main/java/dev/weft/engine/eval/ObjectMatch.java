package dev.weft.engine.eval;

import dev.weft.engine.world.ObjectDescription;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Pairs the objects a reference names with the objects a candidate holds, one to one, and counts agreements.
 *
 * <p>Only objects of the same class pair up; among those, pairs that agree on more attributes are taken first
 * (greedy, ties in list order). An attribute the reference leaves out (null) agrees with anything; one the
 * candidate leaves out but the reference names does not. The denominator is {@code max(reference, candidate)}
 * objects, so a missing object and an extra one both count against the score:
 * <pre>
 *   class accuracy    = pairs / max(|reference|, |candidate|)
 *   colour accuracy   = pairs whose colour agrees / max(...)      (likewise size, position)
 * </pre>
 * Uses: text->image (reference: the caption's objects; candidate: what the evaluator found in the picture),
 * image->text (reference: the picture's true objects; candidate: the objects the generated caption names), and the
 * story frames (reference: the objects the story says are there; candidate: those found).
 */
public final class ObjectMatch {
    private ObjectMatch() { }

    /** Counts for one sample. */
    public record Tally(int denominator, int cls, int colour, int size, int position) {
        public static final Tally EMPTY = new Tally(0, 0, 0, 0, 0);
    }

    public static Tally match(List<ObjectDescription> reference, List<ObjectDescription> candidate) {
        record Pair(int r, int c, int agree) { }
        List<Pair> pairs = new ArrayList<>();
        for (int r = 0; r < reference.size(); r++) {
            for (int c = 0; c < candidate.size(); c++) {
                ObjectDescription a = reference.get(r);
                ObjectDescription b = candidate.get(c);
                if (a.cls() == b.cls()) {
                    int agree = (agrees(a.colour(), b.colour()) ? 1 : 0) + (agrees(a.size(), b.size()) ? 1 : 0)
                            + (agrees(a.position(), b.position()) ? 1 : 0);
                    pairs.add(new Pair(r, c, agree));
                }
            }
        }
        pairs.sort(Comparator.comparingInt((Pair p) -> -p.agree).thenComparingInt(p -> p.r).thenComparingInt(p -> p.c));
        boolean[] usedR = new boolean[reference.size()];
        boolean[] usedC = new boolean[candidate.size()];
        int cls = 0, colour = 0, size = 0, position = 0;
        for (Pair p : pairs) {
            if (usedR[p.r] || usedC[p.c]) {
                continue;
            }
            usedR[p.r] = true;
            usedC[p.c] = true;
            ObjectDescription a = reference.get(p.r);
            ObjectDescription b = candidate.get(p.c);
            cls++;
            colour += agrees(a.colour(), b.colour()) ? 1 : 0;
            size += agrees(a.size(), b.size()) ? 1 : 0;
            position += agrees(a.position(), b.position()) ? 1 : 0;
        }
        return new Tally(Math.max(reference.size(), candidate.size()), cls, colour, size, position);
    }

    private static boolean agrees(Object reference, Object candidate) {
        return reference == null || reference.equals(candidate);
    }
}
