package dev.weft.app.storyboard;

import dev.weft.app.StudioViewModel;
import dev.weft.app.common.UiThread;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.queue.JobStatus;
import dev.weft.app.service.EngineService;
import dev.weft.app.testing.Fx;
import dev.weft.app.testing.TinyEngine;
import dev.weft.engine.Engine;
import dev.weft.engine.pipeline.CancellationToken;
import dev.weft.engine.pipeline.Document;
import dev.weft.engine.pipeline.GenerationListener;
import dev.weft.engine.pipeline.SamplingOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The studio on the engine's structured events (text start and end, image start), {@code paintNext} for a story's
 * picture, the context meter, and the engine's refusal of a story longer than the model can read.
 */
class EngineEventsTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    private StudioViewModel studio() {
        AtomicLong seeds = new AtomicLong(300);
        StudioViewModel s = TinyEngine.studio(dir).seeds(seeds::incrementAndGet).build();
        TinyEngine.fast(s.storyboard().settings());
        return s;
    }

    @Test
    void continueMakesOneCellPerTextAndPictureEventWithTheFinalText() {
        Engine e = TinyEngine.get();
        StudioViewModel s = studio();
        StoryboardViewModel sb = s.storyboard();
        sb.settings().imagesPerContinueProperty().set(2);
        sb.addText("A red fox walks into the forest.");
        // what the engine reports for the same request
        List<String> events = new ArrayList<>();
        List<String> finals = new ArrayList<>();
        SamplingOptions o = sb.settings().options(sb.settings().seedProperty().get());
        Engine.Continuation direct = e.continueDocument(StoryboardViewModel.documentOf(sb.cells()), o,
                new GenerationListener() {
                    @Override
                    public void onTextStart() {
                        events.add("text");
                    }

                    @Override
                    public void onTextEnd(String text) {
                        finals.add(text);
                    }

                    @Override
                    public void onImageStart(int index) {
                        events.add("image " + index);
                    }
                }, new CancellationToken());
        assertTrue(events.contains("image 0") && events.contains("image 1"), events.toString());

        GenerationJob job = sb.continueStory();
        assertEquals(JobStatus.SUCCEEDED, job.getStatus(), () -> String.valueOf(job.getError()));
        List<CellViewModel> made = sb.cells().subList(1, sb.cells().size());
        assertEquals(direct.items().size(), made.size(), "one cell per item: blank passages leave none");
        for (int i = 0; i < made.size(); i++) {
            Document.Item item = direct.items().get(i);
            if (item instanceof Document.Text t) {
                assertTrue(made.get(i).isText());
                assertEquals(t.text().strip(), made.get(i).getText(), "the decoded text, not the streamed pieces");
            } else {
                assertNotNull(made.get(i).getImage());
            }
            assertFalse(made.get(i).isPlaceholder() || made.get(i).isGenerating());
        }
        for (String f : finals) {
            if (!f.isBlank()) {
                assertTrue(made.stream().anyMatch(c -> c.isText() && c.getText().equals(f.strip())), f);
            }
        }
    }

    @Test
    void repaintingAStoryPictureUsesPaintNextWithNoTextFirst() {
        Engine e = TinyEngine.get();
        StudioViewModel s = studio();
        StoryboardViewModel sb = s.storyboard();
        sb.addText("A red fox walks into the forest.");
        GenerationJob job = sb.continueStory();
        assertEquals(JobStatus.SUCCEEDED, job.getStatus(), () -> String.valueOf(job.getError()));
        CellViewModel pic = sb.cells().get(sb.cells().size() - 1);
        assertNotNull(pic.getImage());
        Document before = StoryboardViewModel.documentOf(sb.cells().subList(0, sb.cells().size() - 1));

        GenerationJob again = sb.varySeed(pic);
        assertEquals(JobStatus.SUCCEEDED, again.getStatus(), () -> String.valueOf(again.getError()));
        long seed = pic.getRecipe().seed();
        SamplingOptions o = sb.settings().options(pic.getRecipe(), seed);
        BufferedImage expected = e.paintNext(before, o, GenerationListener.NONE, new CancellationToken());
        assertTrue(Arrays.equals(StoryboardViewModelTest.pixels(expected),
                StoryboardViewModelTest.pixels(pic.getImage())), "the same picture paintNext paints");
        assertEquals(1, pic.history().size());
    }

    @Test
    void theContextMeterCountsTokensAndPicturesUpToTheSelection() {
        Engine e = TinyEngine.get();
        StudioViewModel s = studio();
        StoryboardViewModel sb = s.storyboard();
        ContextMeter meter = sb.contextMeter();
        int k = e.config().numImageTokens();
        int max = e.config().llm().maxPositions();
        int maxPictures = e.config().llm().mmfs().maxImages() - 1;

        String first = "A red fox walks into the forest.";
        CellViewModel a = sb.addText(first);
        ContextMeter.Usage u = meter.getUsage();
        assertNotNull(u);
        assertEquals(1 + e.tokenizer().encode(first).size(), u.tokens(), "<s> and the text's tokens");
        assertEquals(max, u.maxTokens());
        assertEquals(maxPictures, u.maxPictures());
        assertEquals(ContextMeter.Level.OK, u.level());
        assertTrue(u.summary().startsWith("Context " + u.tokens() + " / " + max + " tokens · 0 / "), u.summary());

        sb.addImages(List.of(StoryboardViewModelTest.picture(0x203040), StoryboardViewModelTest.picture(0x304050)));
        assertEquals(1 + e.tokenizer().encode(first).size() + 2 * (1 + k), meter.getUsage().tokens());
        assertEquals(2, meter.getUsage().pictures());
        sb.select(a);
        assertEquals(0, meter.getUsage().pictures(), "only what comes before the cursor");

        // a Continue of 2 pictures with 6 tokens each: 2 texts, 2 <|beginofimage|>, one picture's K tokens
        sb.settings().imagesPerContinueProperty().set(2);
        assertEquals(2 * 6 + 2 + k, meter.getUsage().continueTokens());

        // as many pictures as the model can tell apart, then one more
        sb.select(null);
        List<BufferedImage> more = new ArrayList<>();
        for (int i = 2; i < maxPictures; i++) {
            more.add(StoryboardViewModelTest.picture(0x010101 * i));
        }
        sb.addImages(more);
        assertEquals(maxPictures, meter.getUsage().pictures());
        assertEquals(ContextMeter.Level.TIGHT, meter.getUsage().level(), "no room for Continue's pictures");
        sb.addImages(List.of(StoryboardViewModelTest.picture(0x111111)));
        assertEquals(ContextMeter.Level.OVER, meter.getUsage().level());
        assertTrue(meter.getUsage().explanation().contains("earlier cell"));
    }

    @Test
    void aStoryLongerThanTheModelCanReadFailsTheJobWithTheEnginesMessage() {
        Engine e = TinyEngine.get();
        StudioViewModel s = studio();
        StoryboardViewModel sb = s.storyboard();
        int max = e.config().llm().maxPositions();
        StringBuilder text = new StringBuilder();
        while (e.tokenizer().encode(text.toString()).size() < max + 10) {
            text.append("the fox walks into the forest and sees a river. ");
        }
        sb.addText(text.toString());
        assertEquals(ContextMeter.Level.OVER, sb.contextMeter().getUsage().level());
        GenerationJob job = sb.continueStory();
        assertEquals(JobStatus.FAILED, job.getStatus());
        assertTrue(job.getError().contains("too long for this model"), job.getError());
        assertTrue(job.getError().contains("at most " + max), job.getError());
        assertEquals(1, sb.cells().size(), "nothing was added");
    }

    @Test
    void withoutAModelThereIsNoMeter() {
        StudioViewModel s = StudioViewModel.builder().ui(UiThread.direct()).generation(Runnable::run)
                .io(Runnable::run).engine(new EngineService(Runnable::run, UiThread.direct())).configDir(dir).build();
        s.storyboard().addText("no model yet");
        assertNull(s.storyboard().contextMeter().getUsage());
        assertEquals("", s.status().contextBinding().get());
    }
}
