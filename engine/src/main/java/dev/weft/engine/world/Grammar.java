package dev.weft.engine.world;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The world's small English grammar: the checker ({@link #parses}), the parser ({@link #parse}) that returns the
 * attributes a sentence names, and the splitter that measures the share of sentences in a text that parse.
 *
 * <p>Sentences are read as the tokenizer reads them (lower case, words and punctuation, see
 * {@link Vocabulary#words}), so "A red circle." and "a red circle ." are the same sentence. The grammar (also in
 * {@code docs/world-format.md}):
 * <pre>
 * sentence   = caption | event
 * caption    = np { "," np } [ "and" np ] [ background ] [ "," "in" style ] "."
 *              (a list of three or more is "np, np and np": commas need the closing "and")
 * np         = article [ size ] [ colour ] class [ position ]
 * article    = "a" | "an"          ("an" exactly before a word that starts with a vowel: "an orange star")
 * position   = "at" "the" place
 * place      = "top left" | "top" | "top right" | "left" | "center" | "right"
 *            | "bottom left" | "bottom" | "bottom right"
 * background = "on grass" | "in the sky" | "on sand" | "on water" | "in snow" | "at night"
 * style      = "flat style" | "watercolour" | "pencil" | "pixel art" | "neon"
 * event      = [ "then" ] subject ( "moves to the" place | "becomes" colour | "grows" | "shrinks" | "disappears" ) "."
 *            | [ "then" ] article [ size ] [ colour ] class "appears" [ position ] "."
 * subject    = "it" | "the" [ colour ] class
 * size       = "small" | "medium" | "large"
 * colour     = "red" | "orange" | "yellow" | "green" | "blue" | "purple" | "pink" | "brown" | "white" | "gray"
 * class      = "circle" | "square" | "triangle" | "star" | "heart" | "moon" | "house" | "tree" | "fish" | "car"
 *            | "boat" | "flower"
 * </pre>
 * The generator writes every caption in full (size, colour, class and position of each object, background, style);
 * the parser also accepts the shorter forms above.
 */
public final class Grammar {
    private static final Pattern SPECIAL_MARKER = Pattern.compile("<[^<>\\s]*>");

    private Grammar() { }

    /** "a small red circle" plus " at the left" when {@code withPosition} and the position is known. */
    static String nounPhrase(ObjectDescription d, boolean withPosition) {
        StringBuilder words = new StringBuilder();
        if (d.size() != null) {
            words.append(d.size().word()).append(' ');
        }
        if (d.colour() != null) {
            words.append(d.colour().word()).append(' ');
        }
        words.append(d.cls().word());
        String article = startsWithVowel(words.toString()) ? "an " : "a ";
        String np = article + words;
        if (withPosition && d.position() != null) {
            np += " at the " + d.position().phrase();
        }
        return np;
    }

    private static boolean startsWithVowel(String w) {
        return !w.isEmpty() && "aeiou".indexOf(w.charAt(0)) >= 0;
    }

    /** Whether {@code sentence} (one sentence, ending with ".") is in the grammar. */
    public static boolean parses(String sentence) {
        return parse(sentence).isPresent();
    }

    /** The caption or event {@code sentence} states, or empty when it is not in the grammar. */
    public static Optional<Sentence> parse(String sentence) {
        return parseWords(Vocabulary.words(sentence));
    }

    public static Optional<Sentence> parseWords(List<String> words) {
        Parser p = new Parser(words);
        Sentence s = p.caption();
        if (s != null && p.accept(".") && p.atEnd()) {
            return Optional.of(s);
        }
        p = new Parser(words);
        s = p.event();
        if (s != null && p.accept(".") && p.atEnd()) {
            return Optional.of(s);
        }
        return Optional.empty();
    }

    /**
     * Splits a text into sentences: each ends at a "." word; special markers ({@code <s>}, {@code <|image|>}, ...)
     * are dropped; a trailing piece without "." is returned too (it never parses).
     */
    public static List<List<String>> sentences(String text) {
        List<List<String>> out = new ArrayList<>();
        List<String> cur = new ArrayList<>();
        for (String w : Vocabulary.words(SPECIAL_MARKER.matcher(text).replaceAll(" "))) {
            cur.add(w);
            if (w.equals(".")) {
                out.add(cur);
                cur = new ArrayList<>();
            }
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }

    /** Share of the sentences of {@code text} that parse (0 for a text with none). */
    public static double parseShare(String text) {
        List<List<String>> ss = sentences(text);
        if (ss.isEmpty()) {
            return 0;
        }
        long ok = ss.stream().filter(s -> parseWords(s).isPresent()).count();
        return ok / (double) ss.size();
    }

    /** Recursive descent over the word list; each rule returns null (and may leave the cursor moved) on failure. */
    private static final class Parser {
        private final List<String> w;
        private int i;

        Parser(List<String> w) {
            this.w = w;
        }

        boolean atEnd() {
            return i == w.size();
        }

        String peek(int k) {
            return i + k < w.size() ? w.get(i + k) : null;
        }

        boolean accept(String word) {
            if (word.equals(peek(0))) {
                i++;
                return true;
            }
            return false;
        }

        /** The longest word sequence among {@code options} that starts here, consumed, or -1. */
        int acceptLongest(List<List<String>> options) {
            int best = -1;
            int bestLen = 0;
            for (int k = 0; k < options.size(); k++) {
                List<String> o = options.get(k);
                if (o.size() > bestLen && i + o.size() <= w.size() && w.subList(i, i + o.size()).equals(o)) {
                    best = k;
                    bestLen = o.size();
                }
            }
            i += bestLen;
            return best;
        }

        Caption caption() {
            List<ObjectDescription> nps = new ArrayList<>();
            ObjectDescription first = np(true);
            if (first == null) {
                return null;
            }
            nps.add(first);
            boolean commas = false;
            while (",".equals(peek(0)) && isArticle(peek(1))) {
                i++;
                ObjectDescription d = np(true);
                if (d == null) {
                    return null;
                }
                nps.add(d);
                commas = true;
            }
            if (accept("and")) {
                ObjectDescription d = np(true);
                if (d == null) {
                    return null;
                }
                nps.add(d);
            } else if (commas) {
                return null; // "a, b" needs "and": "a, b and c"
            }
            Background bg = background();
            Style style = null;
            if (",".equals(peek(0)) && "in".equals(peek(1))) {
                i += 2;
                int k = acceptLongest(styleWords());
                if (k < 0) {
                    return null;
                }
                style = Style.values()[k];
            }
            return new Caption(nps, bg, style);
        }

        Background background() {
            List<List<String>> opts = new ArrayList<>();
            for (Background b : Background.values()) {
                opts.add(b.words());
            }
            int k = acceptLongest(opts);
            return k < 0 ? null : Background.values()[k];
        }

        static List<List<String>> styleWords() {
            List<List<String>> opts = new ArrayList<>();
            for (Style s : Style.values()) {
                opts.add(s.words());
            }
            return opts;
        }

        static boolean isArticle(String s) {
            return "a".equals(s) || "an".equals(s);
        }

        /** article [size] [colour] class [position]. */
        ObjectDescription np(boolean allowPosition) {
            String article = peek(0);
            if (!isArticle(article)) {
                return null;
            }
            i++;
            String next = peek(0);
            if (next == null || startsWithVowel(next) != article.equals("an")) {
                return null;
            }
            Size size = Size.ofWord(next);
            if (size != null) {
                i++;
            }
            Colour colour = peek(0) == null ? null : Colour.ofWord(peek(0));
            if (colour != null) {
                i++;
            }
            ObjectClass cls = peek(0) == null ? null : ObjectClass.ofWord(peek(0));
            if (cls == null) {
                return null;
            }
            i++;
            Position pos = null;
            if (allowPosition && "at".equals(peek(0)) && "the".equals(peek(1))) {
                i += 2;
                pos = place();
                if (pos == null) {
                    return null;
                }
            }
            return new ObjectDescription(size, colour, cls, pos);
        }

        Position place() {
            List<List<String>> opts = new ArrayList<>();
            for (Position p : Position.values()) {
                opts.add(p.words());
            }
            int k = acceptLongest(opts);
            return k < 0 ? null : Position.values()[k];
        }

        Event event() {
            boolean then = accept("then");
            if (isArticle(peek(0))) {
                ObjectDescription d = np(false);
                if (d == null || !accept("appears")) {
                    return null;
                }
                Position at = null;
                if (accept("at")) {
                    if (!accept("the") || (at = place()) == null) {
                        return null;
                    }
                }
                return Event.appear(d, at).withThen(then);
            }
            Event.Subject s = subject();
            if (s == null) {
                return null;
            }
            if (accept("moves")) {
                if (!accept("to") || !accept("the")) {
                    return null;
                }
                Position to = place();
                return to == null ? null : Event.move(s, to).withThen(then);
            }
            if (accept("becomes")) {
                Colour c = peek(0) == null ? null : Colour.ofWord(peek(0));
                if (c == null) {
                    return null;
                }
                i++;
                return Event.become(s, c).withThen(then);
            }
            if (accept("grows")) {
                return Event.grow(s).withThen(then);
            }
            if (accept("shrinks")) {
                return Event.shrink(s).withThen(then);
            }
            if (accept("disappears")) {
                return Event.disappear(s).withThen(then);
            }
            return null;
        }

        Event.Subject subject() {
            if (accept("it")) {
                return Event.Subject.IT;
            }
            if (!accept("the")) {
                return null;
            }
            Colour colour = peek(0) == null ? null : Colour.ofWord(peek(0));
            if (colour != null) {
                i++;
            }
            ObjectClass cls = peek(0) == null ? null : ObjectClass.ofWord(peek(0));
            if (cls == null) {
                return null;
            }
            i++;
            return Event.Subject.the(colour, cls);
        }
    }
}
