package dev.weft.engine.text;

import dev.weft.engine.config.ModelConfig;
import dev.weft.engine.config.TokenConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextTokenizerTest {
    private static final Path TINY = Path.of("../assets/tiny/tokenizer.json");

    @Test
    void imageMarkersMapToAddedIds() {
        TokenConfig ids = TokenConfig.forVocab(ModelConfig.TINY_VOCAB);
        try (TextTokenizer t = TextTokenizer.load(TINY, ids)) {
            List<Integer> enc = t.encode("<s>A red circle.<|beginofimage|><|image|><|image|> It moves left.</s>");
            assertEquals(ids.bos(), enc.get(0));
            int boi = enc.indexOf(ids.boi());
            assertEquals(ids.image(), enc.get(boi + 1));
            assertEquals(ids.image(), enc.get(boi + 2));
            assertEquals(ids.eos(), enc.get(enc.size() - 1));
            assertEquals(94, ids.boi());
            assertEquals("a red circle. it moves left.", t.decode(enc));
        }
    }

    @Test
    void unknownWordsBecomeUnk() {
        try (TextTokenizer t = TextTokenizer.load(TINY, TokenConfig.forVocab(96))) {
            assertEquals(List.of(0), t.encode("zebra"));
            assertTrue(t.tokenText(t.encode("red").get(0)).equals(" red"));
        }
    }

    @Test
    void missingFileIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TextTokenizer.load(Path.of("nope/tokenizer.json"), TokenConfig.vicuna()));
        assertTrue(e.getMessage().contains("nope/tokenizer.json"));
    }
}
