package dev.weft.engine.world;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a story's sentences back into the objects they describe, tracking identity: the opening caption
 * introduces objects 0, 1, ...; each event names its subject by "it" (the previous event's subject, or the only
 * object of the opening caption) or by "the [colour] class" (must match exactly one object present); an appearing
 * object gets the next id. Used by tests (identity round trip) and by evaluators (is a generated story coherent?).
 */
public final class StoryReader {
    private StoryReader() { }

    /** The objects present after each sentence (by id, in scene order) and each event's subject id (-1 first). */
    public record Reading(List<Map<Integer, ObjectDescription>> states, List<Integer> subjects) { }

    /** Reads the sentences; empty if one does not parse or a reference does not resolve. */
    public static Optional<Reading> read(List<String> sentences) {
        List<Map<Integer, ObjectDescription>> states = new ArrayList<>();
        List<Integer> subjects = new ArrayList<>();
        Map<Integer, ObjectDescription> cur = new LinkedHashMap<>();
        int prev = -1;
        int nextId = 0;
        for (int k = 0; k < sentences.size(); k++) {
            Optional<Sentence> parsed = Grammar.parse(sentences.get(k));
            if (parsed.isEmpty()) {
                return Optional.empty();
            }
            Sentence s = parsed.get();
            if (k == 0) {
                if (!(s instanceof Caption c)) {
                    return Optional.empty();
                }
                for (ObjectDescription d : c.objects()) {
                    cur.put(nextId++, d);
                }
                prev = cur.size() == 1 ? 0 : -1;
                subjects.add(-1);
            } else {
                if (!(s instanceof Event e)) {
                    return Optional.empty();
                }
                int id;
                if (e.type() == Event.Type.APPEAR) {
                    id = nextId++;
                    ObjectDescription a = e.appeared();
                    cur.put(id, new ObjectDescription(a.size(), a.colour(), a.cls(), e.to()));
                } else {
                    id = resolve(e.subject(), cur, prev);
                    if (id < 0) {
                        return Optional.empty();
                    }
                    ObjectDescription d = cur.get(id);
                    ObjectDescription changed = switch (e.type()) {
                        case MOVE -> new ObjectDescription(d.size(), d.colour(), d.cls(), e.to());
                        case BECOME -> new ObjectDescription(d.size(), e.colour(), d.cls(), d.position());
                        case GROW -> d.size() == null || d.size().bigger() == null ? null
                                : new ObjectDescription(d.size().bigger(), d.colour(), d.cls(), d.position());
                        case SHRINK -> d.size() == null || d.size().smaller() == null ? null
                                : new ObjectDescription(d.size().smaller(), d.colour(), d.cls(), d.position());
                        default -> d;
                    };
                    if (changed == null) {
                        return Optional.empty();
                    }
                    if (e.type() == Event.Type.DISAPPEAR) {
                        cur.remove(id);
                    } else {
                        cur.put(id, changed);
                    }
                }
                subjects.add(id);
                prev = e.type() == Event.Type.DISAPPEAR ? -1 : id;
            }
            states.add(new LinkedHashMap<>(cur));
        }
        return Optional.of(new Reading(states, subjects));
    }

    private static int resolve(Event.Subject s, Map<Integer, ObjectDescription> cur, int prev) {
        if (s.pronoun()) {
            return cur.containsKey(prev) ? prev : -1;
        }
        int found = -1;
        for (Map.Entry<Integer, ObjectDescription> en : cur.entrySet()) {
            ObjectDescription d = en.getValue();
            if (d.cls() == s.cls() && (s.colour() == null || d.colour() == s.colour())) {
                if (found >= 0) {
                    return -1; // ambiguous
                }
                found = en.getKey();
            }
        }
        return found;
    }
}
