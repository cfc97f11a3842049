package dev.weft.engine.world;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The world's words: the one list every sentence of the {@link Grammar} is made of, and the word-level tokenizer
 * over it (written to {@code assets/weft-small/tokenizer.json} by {@link #main}).
 *
 * <p>Ids are laid out like the tiny tokenizer's: 0 {@code <unk>}, 1 {@code <s>}, 2 {@code </s>}, then
 * {@link #WORDS}, then {@code <pad>}, {@code <|beginofimage|>}, {@code <|image|>} as the last three (so
 * {@code TokenConfig.forVocab(size())} gives their ids). Tokenization mirrors the HuggingFace tokenizer the engine
 * loads: lower case, then the {@code Whitespace} pre-tokenizer ({@code \w+|[^\w\s]+}), then one id per word.
 */
public final class Vocabulary {
    public static final List<String> SPECIALS_HEAD = List.of("<unk>", "<s>", "</s>");
    public static final List<String> SPECIALS_TAIL = List.of("<pad>", "<|beginofimage|>", "<|image|>");
    /** Punctuation and the grammar's function words and verbs (the other words come from the enums). */
    static final List<String> FUNCTION_WORDS = List.of(".", ",", "a", "an", "the", "and", "at", "on", "in", "to",
            "then", "it", "moves", "becomes", "grows", "shrinks", "appears", "disappears");
    /** Every word of the grammar, in id order (id = index + 3). */
    public static final List<String> WORDS = buildWords();
    public static final int UNK = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    private static final Pattern PRE_TOKEN = Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Map<String, Integer> IDS = buildIds();

    private Vocabulary() { }

    private static List<String> buildWords() {
        LinkedHashSet<String> w = new LinkedHashSet<>(FUNCTION_WORDS);
        for (Size s : Size.values()) {
            w.add(s.word());
        }
        for (Colour c : Colour.values()) {
            w.add(c.word());
        }
        for (ObjectClass c : ObjectClass.values()) {
            w.add(c.word());
        }
        for (Position p : Position.values()) {
            w.addAll(p.words());
        }
        for (Background b : Background.values()) {
            w.addAll(b.words());
        }
        for (Style s : Style.values()) {
            w.addAll(s.words());
        }
        return List.copyOf(w);
    }

    private static Map<String, Integer> buildIds() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String t : tokens()) {
            m.put(t, m.size());
        }
        return Collections.unmodifiableMap(m);
    }

    /** All entries in id order: specials, words, the last three specials. */
    public static List<String> tokens() {
        List<String> t = new ArrayList<>(SPECIALS_HEAD);
        t.addAll(WORDS);
        t.addAll(SPECIALS_TAIL);
        return t;
    }

    /** Vocabulary size (the LLM's {@code vocab_size}). */
    public static int size() {
        return SPECIALS_HEAD.size() + WORDS.size() + SPECIALS_TAIL.size();
    }

    public static int pad() {
        return size() - 3;
    }

    public static int beginOfImage() {
        return size() - 2;
    }

    public static int image() {
        return size() - 1;
    }

    /** Lower-cased words and punctuation, as the tokenizer's pre-tokenizer splits them. */
    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PRE_TOKEN.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    public static int id(String word) {
        return IDS.getOrDefault(word, UNK);
    }

    public static boolean contains(String word) {
        return IDS.containsKey(word) && !SPECIALS_HEAD.contains(word) && !SPECIALS_TAIL.contains(word);
    }

    /** Token ids of plain text (no BOS/EOS added); unknown words give {@link #UNK}. */
    public static int[] encode(String text) {
        return words(text).stream().mapToInt(Vocabulary::id).toArray();
    }

    /** Text of ids: words joined by spaces, no space before punctuation, specials dropped. */
    public static String decode(int[] ids) {
        List<String> all = tokens();
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            if (id < 3 || id >= size() - 3) {
                continue;
            }
            String w = all.get(id);
            if (sb.length() > 0 && !w.equals(".") && !w.equals(",")) {
                sb.append(' ');
            }
            sb.append(w);
        }
        return sb.toString();
    }

    /** The HuggingFace {@code tokenizer.json} (WordLevel, Lowercase, Whitespace) for this vocabulary. */
    public static String tokenizerJson() {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = om.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        List<String> specials = new ArrayList<>(SPECIALS_HEAD);
        specials.addAll(SPECIALS_TAIL);
        for (String s : specials) {
            ObjectNode a = added.addObject();
            a.put("id", id(s));
            a.put("content", s);
            a.put("single_word", false);
            a.put("lstrip", false);
            a.put("rstrip", false);
            a.put("normalized", false);
            a.put("special", true);
        }
        root.putObject("normalizer").put("type", "Lowercase");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        root.putNull("post_processor");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode vocab = model.putObject("vocab");
        IDS.forEach(vocab::put);
        model.put("unk_token", "<unk>");
        try {
            return om.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the tokenizer: {@code Vocabulary [OUT]} (default {@code assets/weft-small/tokenizer.json}). */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "assets/weft-small/tokenizer.json");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, tokenizerJson());
        System.out.println("wrote " + out + ": " + size() + " ids, " + WORDS.size() + " words");
    }
}
