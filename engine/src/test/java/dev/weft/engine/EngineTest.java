package dev.weft.engine;

import ai.djl.Device;
import dev.weft.engine.pipeline.CancellationToken;
import dev.weft.engine.pipeline.Document;
import dev.weft.engine.pipeline.GenerationListener;
import dev.weft.engine.pipeline.SamplingOptions;
import dev.weft.engine.image.Images;
import dev.weft.engine.testing.NativeTests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's modes on the tiny model: determinism, progress, cancellation. */
class EngineTest {
    static Engine engine;
    static final SamplingOptions FAST = SamplingOptions.defaults().withSteps(3).withText(1f, 0.9f, 1.3f, 0, 6);

    @BeforeAll
    static void load() {
        NativeTests.assumeNative();
        engine = Engine.load(Path.of("../assets/tiny"), Device.cpu());
    }

    @AfterAll
    static void close() {
        if (engine != null) {
            engine.close();
        }
    }

    static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    @Test
    void sameSeedSameImageOtherSeedOtherImage() {
        BufferedImage a = engine.textToImage("a red circle", FAST, GenerationListener.NONE, CancellationToken.NEVER);
        BufferedImage b = engine.textToImage("a red circle", FAST, GenerationListener.NONE, CancellationToken.NEVER);
        BufferedImage c = engine.textToImage("a red circle", FAST.withSeed(7), GenerationListener.NONE,
                CancellationToken.NEVER);
        assertTrue(java.util.Arrays.equals(pixels(a), pixels(b)), "same seed must give the same image");
        assertFalse(java.util.Arrays.equals(pixels(a), pixels(c)), "another seed must give another image");
    }

    @Test
    void continuationStreamsTokensPreviewsAndIsDeterministic() {
        Document doc = Document.of(new Document.Text("a red circle on grass ."),
                new Document.Image(Images.gray(64)), new Document.Text("then it"));
        List<String> tokens = new ArrayList<>();
        AtomicInteger steps = new AtomicInteger();
        List<BufferedImage> previews = new ArrayList<>();
        GenerationListener l = new GenerationListener() {
            @Override
            public void onToken(int id, String text) {
                tokens.add(text);
            }

            @Override
            public void onImageStep(int step, int total, Supplier<BufferedImage> preview) {
                steps.incrementAndGet();
                if (step == total) {
                    previews.add(preview.get());
                }
            }
        };
        Engine.Continuation c1 = engine.continueDocument(doc, FAST, l, CancellationToken.NEVER);
        Engine.Continuation c2 = engine.continueDocument(doc, FAST, GenerationListener.NONE, CancellationToken.NEVER);
        assertEquals(c1.items().size(), c2.items().size());
        for (int i = 0; i < c1.items().size(); i++) {
            if (c1.items().get(i) instanceof Document.Text t) {
                assertEquals(t, c2.items().get(i));
            } else {
                assertTrue(java.util.Arrays.equals(pixels(((Document.Image) c1.items().get(i)).image()),
                        pixels(((Document.Image) c2.items().get(i)).image())));
            }
        }
        assertTrue(c1.items().stream().anyMatch(i -> i instanceof Document.Image), c1.stoppedBecause());
        assertEquals(FAST.steps(), steps.get());
        assertEquals(1, previews.size());
        assertNotNull(previews.get(0));
        assertTrue(tokens.size() <= FAST.maxNewTokens());
    }

    @Test
    void cancellationStopsBetweenSteps() {
        CancellationToken cancel = new CancellationToken();
        AtomicInteger steps = new AtomicInteger();
        GenerationListener l = new GenerationListener() {
            @Override
            public void onImageStep(int step, int total, Supplier<BufferedImage> preview) {
                steps.incrementAndGet();
                if (step == 2) {
                    cancel.cancel();
                }
            }
        };
        assertThrows(CancellationToken.CancelledException.class,
                () -> engine.textToImage("a blue fish", FAST.withSteps(10), l, cancel));
        assertEquals(2, steps.get(), "no step runs after cancellation");
        // the engine is still usable afterwards
        assertNotNull(engine.textToImage("a blue fish", FAST, GenerationListener.NONE, CancellationToken.NEVER));
    }

    @Test
    void cancellationStopsBetweenTokens() {
        CancellationToken cancel = new CancellationToken();
        AtomicInteger tokens = new AtomicInteger();
        GenerationListener l = new GenerationListener() {
            @Override
            public void onToken(int id, String text) {
                if (tokens.incrementAndGet() == 2) {
                    cancel.cancel();
                }
            }
        };
        SamplingOptions o = FAST.withText(1f, 0.9f, 1f, 20, 20);
        assertThrows(CancellationToken.CancelledException.class, () -> engine.caption(Images.gray(64), o, l, cancel));
        assertEquals(2, tokens.get());
    }

    @Test
    void segmentStyleAndCaptionModesRun() {
        BufferedImage map = Images.gray(64);
        assertEquals(64, engine.segmentToImage(map, "a red circle", FAST, GenerationListener.NONE,
                CancellationToken.NEVER).getWidth());
        assertEquals(64, engine.styleToImage(map, "a blue fish", FAST, GenerationListener.NONE,
                CancellationToken.NEVER).getWidth());
        String caption = engine.caption(map, FAST, GenerationListener.NONE, CancellationToken.NEVER);
        assertTrue(caption.startsWith(Engine.CAPTION_PROMPT), caption);
    }

    @Test
    void eventsAnnounceTextAndImagesInOrder() {
        List<String> events = new ArrayList<>();
        GenerationListener l = new GenerationListener() {
            @Override
            public void onTextStart() {
                events.add("text");
            }

            @Override
            public void onTextEnd(String text) {
                events.add("end");
            }

            @Override
            public void onImageStart(int index) {
                events.add("image " + index);
            }
        };
        Document doc = Document.of(new Document.Text("a red circle ."), new Document.Image(Images.gray(64)));
        Engine.Continuation c = engine.continueDocument(doc, FAST, l, CancellationToken.NEVER);
        if (c.items().stream().anyMatch(i -> i instanceof Document.Image)) {
            assertEquals(List.of("text", "end", "image 1"), events);
        } else {
            assertEquals(List.of("text", "end"), events, c.stoppedBecause());
        }
        events.clear();
        assertEquals(64, engine.paintNext(doc, FAST, l, CancellationToken.NEVER).getWidth());
        assertEquals(List.of("image 1"), events);
    }

    @Test
    void aDocumentLongerThanTheContextIsRefusedClearly() {
        String words = "a red circle on grass . ".repeat(120); // 720 tokens > 512
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> engine.textToImage(words, FAST, GenerationListener.NONE, CancellationToken.NEVER));
        assertTrue(e.getMessage().contains("document too long") && e.getMessage().contains("512"), e.getMessage());
        // a continuation that runs into the context stops and says so instead of failing
        String nearly = "a red circle on grass . ".repeat(83); // 498 tokens + <s>
        Engine.Continuation c = engine.continueDocument(Document.of(new Document.Text(nearly)),
                FAST.withText(1f, 0.9f, 1f, 40, 40), GenerationListener.NONE, CancellationToken.NEVER);
        assertTrue(c.stoppedBecause().contains("context is full"), c.stoppedBecause());
        List<Document.Item> many = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            many.add(new Document.Image(Images.gray(64)));
        }
        e = assertThrows(IllegalArgumentException.class, () -> engine.continueDocument(new Document(many), FAST,
                GenerationListener.NONE, CancellationToken.NEVER));
        assertTrue(e.getMessage().contains("too many images"), e.getMessage());
    }

    @Test
    void loadReportsProgress() {
        List<long[]> seen = new ArrayList<>();
        try (Engine e = Engine.load(Path.of("../assets/tiny"), Device.cpu(), (done, total) -> seen.add(
                new long[] {done, total}))) {
            assertTrue(seen.size() > 100);
            long[] last = seen.get(seen.size() - 1);
            assertEquals(last[1], last[0], "all values read by the end");
        }
    }

    @Test
    void emptyInputsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> engine.continueDocument(Document.of(new Document.Text(" ")),
                FAST, GenerationListener.NONE, CancellationToken.NEVER));
        assertThrows(IllegalArgumentException.class, () -> engine.textToImage("  ", FAST, GenerationListener.NONE,
                CancellationToken.NEVER));
    }
}
