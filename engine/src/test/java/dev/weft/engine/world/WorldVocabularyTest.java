package dev.weft.engine.world;

import dev.weft.engine.config.TokenConfig;
import dev.weft.engine.text.TextTokenizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One word list: the grammar uses exactly Vocabulary.WORDS, and the bundled tokenizer.json is made from it. */
class WorldVocabularyTest {
    private static final Path TOKENIZER = Path.of("../assets/weft-small/tokenizer.json");

    private static List<String> sampleTexts() {
        List<String> texts = new ArrayList<>();
        for (long i = 0; i < 600; i++) {
            texts.addAll(WorldSample.generate(17, i, WorldSample.Mix.DEFAULT).texts());
            texts.addAll(WorldSample.generate(17, i, WorldSample.Mix.DEFAULT).captions().stream()
                    .map(Caption::text).toList());
        }
        return texts;
    }

    @Test
    void theGrammarUsesExactlyTheWordList() {
        Set<String> used = new LinkedHashSet<>();
        for (String t : sampleTexts()) {
            for (String w : Vocabulary.words(t)) {
                assertTrue(Vocabulary.contains(w), "'" + w + "' of '" + t + "' is in the word list");
                used.add(w);
            }
        }
        // "an" only goes before "orange" when no size is named; generated captions always name the size
        used.add("an");
        assertEquals(Set.copyOf(Vocabulary.WORDS), used);
        assertEquals(Vocabulary.WORDS.size(), new LinkedHashSet<>(Vocabulary.WORDS).size(), "no duplicates");
    }

    @Test
    void layoutOfTheIds() {
        List<String> t = Vocabulary.tokens();
        assertEquals(List.of("<unk>", "<s>", "</s>"), t.subList(0, 3));
        assertEquals(List.of("<pad>", "<|beginofimage|>", "<|image|>"), t.subList(t.size() - 3, t.size()));
        assertEquals(Vocabulary.size(), t.size());
        TokenConfig ids = TokenConfig.forVocab(Vocabulary.size());
        assertEquals(ids.pad(), Vocabulary.pad());
        assertEquals(ids.boi(), Vocabulary.beginOfImage());
        assertEquals(ids.image(), Vocabulary.image());
        System.out.println("weft-small vocabulary: " + Vocabulary.size() + " ids, " + Vocabulary.WORDS.size() + " words");
    }

    @Test
    void bundledTokenizerIsGeneratedFromTheList() throws IOException {
        assertEquals(Vocabulary.tokenizerJson(), Files.readString(TOKENIZER, StandardCharsets.UTF_8),
                "assets/weft-small/tokenizer.json is stale: run dev.weft.engine.world.Vocabulary");
    }

    @Test
    void engineTokenizerAgreesWithTheWorldsIds() {
        try (TextTokenizer tok = TextTokenizer.load(TOKENIZER, TokenConfig.forVocab(Vocabulary.size()))) {
            for (String text : sampleTexts().subList(0, 400)) {
                List<Integer> engine = tok.encode(text);
                int[] world = Vocabulary.encode(text);
                assertEquals(Arrays.stream(world).boxed().toList(), engine, text);
                assertEquals(text, tok.decode(engine));
            }
            assertEquals(List.of(Vocabulary.BOS, Vocabulary.id("a"), Vocabulary.id("red"), Vocabulary.id("circle"),
                    Vocabulary.id("."), Vocabulary.beginOfImage(), Vocabulary.image(), Vocabulary.EOS),
                    tok.encode("<s>A red circle.<|beginofimage|><|image|></s>"));
            assertEquals(List.of(Vocabulary.UNK), tok.encode("zebra"));
        }
    }

    @Test
    void paletteResourceMatchesTheClasses() throws IOException {
        try (InputStream in = Palette.class.getResourceAsStream(Palette.RESOURCE)) {
            assertNotNull(in, Palette.RESOURCE);
            assertEquals(Palette.json(), new String(in.readAllBytes(), StandardCharsets.UTF_8),
                    "palette.json is stale: run dev.weft.engine.world.Palette");
        }
        assertEquals(13, Palette.classes());
        Set<Integer> colours = new LinkedHashSet<>();
        for (int k = 0; k < Palette.classes(); k++) {
            colours.add(Palette.rgb(k));
        }
        assertEquals(Palette.classes(), colours.size(), "distinct map colours");
    }
}
