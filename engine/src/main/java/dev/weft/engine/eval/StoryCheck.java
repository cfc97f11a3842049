package dev.weft.engine.eval;

import dev.weft.engine.world.Grammar;
import dev.weft.engine.world.ObjectDescription;
import dev.weft.engine.world.StoryReader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Story continuation scores. A continuation starts from a story's opening caption and first picture; the model
 * writes text and paints frames. For each generated frame, the objects it should hold follow from the story so far
 * ({@link StoryReader} over the opening caption and every generated sentence before that frame: "then it becomes
 * blue" changes a colour, "then a red car appears" adds an object). When the text stops making sense (a sentence
 * that does not parse, a reference that does not resolve), the last coherent state is carried forward, so the frame
 * is then checked against the objects already established: objects should keep their identity (class) and colour.
 *
 * <pre>
 *   identity consistency = objects of the expected state found (same class, one to one) / max(expected, found)
 *   colour consistency   = of those, with the expected colour                          / max(expected, found)
 *   parse share          = generated sentences in the grammar / generated sentences
 *                          (a frame painted with no sentence before it counts as one sentence that does not parse)
 * </pre>
 */
public final class StoryCheck {
    private StoryCheck() { }

    /**
     * The objects each generated frame should hold.
     *
     * @param opening the story's first sentence (the caption of the given first picture)
     * @param textsBeforeFrames per generated frame, the text written before it (possibly empty or several sentences)
     */
    public static List<Map<Integer, ObjectDescription>> expectedStates(String opening, List<String> textsBeforeFrames) {
        List<String> sentences = new ArrayList<>(List.of(opening));
        Map<Integer, ObjectDescription> state = StoryReader.read(sentences)
                .map(r -> r.states().get(r.states().size() - 1))
                .orElseThrow(() -> new IllegalArgumentException("story opening does not parse: " + opening));
        boolean coherent = true;
        List<Map<Integer, ObjectDescription>> out = new ArrayList<>();
        for (String text : textsBeforeFrames) {
            for (List<String> words : Grammar.sentences(text)) {
                sentences.add(String.join(" ", words));
            }
            if (coherent) {
                Optional<StoryReader.Reading> r = StoryReader.read(sentences);
                if (r.isPresent()) {
                    state = r.get().states().get(r.get().states().size() - 1);
                } else {
                    coherent = false;
                }
            }
            out.add(new LinkedHashMap<>(state));
        }
        return out;
    }

    /** Identity ({@code cls}) and colour ({@code colour}) agreement of one frame; other fields unused. */
    public static ObjectMatch.Tally frame(Map<Integer, ObjectDescription> expected, List<SceneReader.Found> found) {
        List<ObjectDescription> ref = expected.values().stream()
                .map(d -> new ObjectDescription(null, d.colour(), d.cls(), null)).toList();
        List<ObjectDescription> cand = found.stream()
                .map(f -> new ObjectDescription(null, f.colour(), f.cls(), null)).toList();
        return ObjectMatch.match(ref, cand);
    }

    /** Sentences in the texts written before the frames, and how many parse (an empty text is one bad sentence). */
    public static int[] parsed(List<String> textsBeforeFrames) {
        int total = 0;
        int ok = 0;
        for (String text : textsBeforeFrames) {
            List<List<String>> ss = Grammar.sentences(text);
            if (ss.isEmpty()) {
                total++;
                continue;
            }
            for (List<String> s : ss) {
                total++;
                ok += Grammar.parseWords(s).isPresent() ? 1 : 0;
            }
        }
        return new int[] {ok, total};
    }
}
