package dev.weft.engine.world;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Python port of the checker (weft_train/world_grammar.py) agrees with Grammar on good and damaged text. */
class WorldGrammarCrossTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    /** Generated sentences, their shorter forms, and copies damaged by one or two random edits. */
    static List<String> sentences(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<String> good = new ArrayList<>();
        for (long i = 0; i < 300; i++) {
            WorldSample s = WorldSample.generate(seed, i, WorldSample.Mix.DEFAULT);
            good.addAll(s.texts());
            Caption c = s.captions().get(0);
            List<ObjectDescription> shorter = c.objects().stream().map(d -> new ObjectDescription(
                    r.nextBoolean() ? d.size() : null, r.nextBoolean() ? d.colour() : null, d.cls(),
                    r.nextBoolean() ? d.position() : null)).toList();
            good.add(new Caption(shorter, r.nextBoolean() ? c.background() : null,
                    r.nextBoolean() ? c.style() : null).text());
        }
        List<String> all = new ArrayList<>(good);
        List<String> vocab = Vocabulary.WORDS;
        for (String g : good) {
            for (int k = 0; k < 4; k++) {
                List<String> w = new ArrayList<>(Vocabulary.words(g));
                int edits = 1 + r.nextInt(2);
                for (int e = 0; e < edits && !w.isEmpty(); e++) {
                    int at = r.nextInt(w.size());
                    switch (r.nextInt(4)) {
                        case 0 -> w.remove(at);
                        case 1 -> w.set(at, vocab.get(r.nextInt(vocab.size())));
                        case 2 -> w.add(at, vocab.get(r.nextInt(vocab.size())));
                        default -> {
                            int b = Math.min(w.size() - 1, at + 1);
                            String t = w.get(at);
                            w.set(at, w.get(b));
                            w.set(b, t);
                        }
                    }
                }
                all.add(String.join(" ", w));
            }
        }
        all.add("then it grows. a red circle.");
        all.add("A Red Circle , in Neon .");
        all.add("a circle <|image|>.");
        return all;
    }

    @Test
    void pythonCheckerAgreesWithJava(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON), "needs /usr/bin/python3");
        WorldWriter.write(new WorldWriter.Options(1, 1, tmp.resolve("ds"), 1, 1, WorldSample.Mix.DEFAULT, false),
                new PrintStream(new ByteArrayOutputStream()));
        List<String> sentences = sentences(31);
        Files.write(tmp.resolve("sentences.txt"), sentences, StandardCharsets.UTF_8);
        String script = "import sys\nsys.path.insert(0, 'training')\n"
                + "from weft_train.world_grammar import WorldGrammar\n"
                + "g = WorldGrammar.from_dataset(sys.argv[1])\n"
                + "for line in open(sys.argv[2], encoding='utf-8'):\n"
                + "    print(1 if g.parses(line.rstrip('\\n')) else 0)\n";
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", script, tmp.resolve("ds").toString(),
                tmp.resolve("sentences.txt").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        List<String> verdicts = out.lines().toList();
        assertEquals(sentences.size(), verdicts.size(), out);
        int parsed = 0;
        for (int i = 0; i < sentences.size(); i++) {
            boolean java = Grammar.parses(sentences.get(i));
            parsed += java ? 1 : 0;
            assertEquals(java ? "1" : "0", verdicts.get(i), "'" + sentences.get(i) + "'");
        }
        System.out.printf("python and java checkers agree on %d sentences (%d parse)%n", sentences.size(), parsed);
        assertTrue(parsed > sentences.size() / 6 && parsed < sentences.size() / 2, "a mix of good and bad");
    }
}
