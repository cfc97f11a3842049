package dev.weft.engine.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.weft.engine.config.TokenConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text tokenizer over a HuggingFace {@code tokenizer.json} (DJL tokenizers), with MM-Interleaved's two added tokens
 * (notes 1.5): {@code <|beginofimage|>} and {@code <|image|>}, taken from {@link TokenConfig} so a stock Vicuna
 * tokenizer.json (which lacks them) works too. BOS/EOS are handled LLaMA-style by the caller's choice: the
 * underlying tokenizer is always asked not to add special tokens.
 */
public final class TextTokenizer implements AutoCloseable {
    public static final String BOI = "<|beginofimage|>";
    public static final String IMAGE = "<|image|>";
    public static final String BOS = "<s>";
    public static final String EOS = "</s>";
    private static final Pattern SPECIAL = Pattern.compile(
            Pattern.quote(BOI) + "|" + Pattern.quote(IMAGE) + "|" + Pattern.quote(BOS) + "|" + Pattern.quote(EOS));
    private static final Pattern SPACE_BEFORE_PUNCT = Pattern.compile(" ([.,!?;:])");

    private final HuggingFaceTokenizer hf;
    private final TokenConfig ids;
    private final Path source;

    private TextTokenizer(HuggingFaceTokenizer hf, TokenConfig ids, Path source) {
        this.hf = hf;
        this.ids = ids;
        this.source = source;
    }

    /** Loads {@code tokenizer.json}; errors name the file. */
    public static TextTokenizer load(Path tokenizerJson, TokenConfig ids) {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new IllegalArgumentException(tokenizerJson + ": tokenizer file not found");
        }
        try {
            HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(tokenizerJson,
                    Map.of("addSpecialTokens", "false", "padding", "false", "truncation", "false"));
            return new TextTokenizer(hf, ids, tokenizerJson);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(tokenizerJson + ": cannot load tokenizer (" + e.getMessage() + ")", e);
        }
    }

    public TokenConfig ids() {
        return ids;
    }

    /**
     * Encodes text that may contain the literal markers {@code <s>}, {@code </s>}, {@code <|beginofimage|>} and
     * {@code <|image|>}; the markers map to their ids, the text between them goes through the tokenizer.
     */
    public List<Integer> encode(String text) {
        List<Integer> out = new ArrayList<>();
        Matcher m = SPECIAL.matcher(text);
        int last = 0;
        while (m.find()) {
            encodePlain(text.substring(last, m.start()), out);
            out.add(switch (m.group()) {
                case BOI -> ids.boi();
                case IMAGE -> ids.image();
                case BOS -> ids.bos();
                default -> ids.eos();
            });
            last = m.end();
        }
        encodePlain(text.substring(last), out);
        return out;
    }

    private void encodePlain(String s, List<Integer> out) {
        if (s.isBlank()) {
            return; // MM-Interleaved strips whitespace around image tokens
        }
        for (long id : hf.encode(s.strip(), false, false).getIds()) {
            out.add(Math.toIntExact(id));
        }
    }

    /** Decodes ids to text, dropping special and image tokens. */
    public String decode(List<Integer> tokenIds) {
        long[] keep = tokenIds.stream().filter(i -> !isSpecial(i)).mapToLong(Integer::longValue).toArray();
        if (keep.length == 0) {
            return "";
        }
        String s = hf.decode(keep, true);
        return SPACE_BEFORE_PUNCT.matcher(s).replaceAll("$1").strip();
    }

    /** The text of one token as it would be appended while streaming (leading space included). */
    public String tokenText(int id) {
        if (isSpecial(id)) {
            return "";
        }
        String s = hf.decode(new long[] {id}, true);
        if (s.isEmpty()) {
            return s;
        }
        return s.matches("[.,!?;:]") ? s : " " + s;
    }

    private boolean isSpecial(int id) {
        return id == ids.bos() || id == ids.eos() || id == ids.pad() || id == ids.boi() || id == ids.image();
    }

    public Path source() {
        return source;
    }

    @Override
    public void close() {
        hf.close();
    }
}
