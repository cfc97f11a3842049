package dev.weft.app.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.app.StudioViewModel;
import dev.weft.app.project.Recipe;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.queue.JobStatus;
import dev.weft.app.sketch.SketchOp;
import dev.weft.app.storyboard.CellViewModel;
import dev.weft.app.storyboard.StoryboardViewModel;
import dev.weft.app.testing.Fx;
import dev.weft.app.testing.TinyEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pictures saved on their own carry their recipes; a folder of the story's pictures; 4 variants of a cell. */
class PicturesExportTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    private StudioViewModel studio() {
        AtomicLong seeds = new AtomicLong(700);
        StudioViewModel s = TinyEngine.studio(dir).seeds(seeds::incrementAndGet).build();
        TinyEngine.fast(s.storyboard().settings());
        return s;
    }

    @Test
    void aSavedPictureCarriesItsRecipeAndAFolderHoldsEveryPictureAndMap() throws Exception {
        StudioViewModel s = studio();
        StoryboardViewModel sb = s.storyboard();
        sb.addText("A red fox walks into the forest — «ünïcode».");
        GenerationJob job = sb.continueStory();
        assertEquals(JobStatus.SUCCEEDED, job.getStatus(), () -> String.valueOf(job.getError()));
        CellViewModel pic = sb.cells().get(sb.cells().size() - 1);
        assertNotNull(pic.getImage());
        CellViewModel sketch = sb.addSketch();
        sb.sketchOp(sketch, new SketchOp.Fill(sketch.getSketch().palette().byName("moon").id(), 1, 1));
        sb.editText(sketch, "a moon");

        Path one = dir.resolve("one.png");
        assertTrue(s.export().savePicture(pic, one).join());
        BufferedImage back = ImageIO.read(one.toFile());
        assertEquals(pic.getImage().getRGB(3, 4), back.getRGB(3, 4));
        Map<String, String> text = PictureFiles.text(one);
        JsonNode r = new ObjectMapper().readTree(text.get(PictureFiles.RECIPE_KEY));
        Recipe recipe = pic.getRecipe();
        assertEquals("continue", r.get("mode").asText());
        assertEquals(recipe.seed(), r.get("seed").asLong());
        assertEquals(recipe.steps(), r.get("steps").asInt());
        assertEquals("tiny", r.get("model").asText());
        assertEquals("A red fox walks into the forest — «ünïcode».", r.get("prompt").asText(), "UTF-8 survives");
        assertEquals(recipe.prompt(), text.get("Description"));
        assertEquals("Weft studio", text.get("Software"));

        Path folder = dir.resolve("pictures");
        assertTrue(s.export().exportPictures(folder).join());
        try (var l = Files.list(folder)) {
            List<String> names = l.map(p -> p.getFileName().toString()).sorted().toList();
            List<String> expected = new java.util.ArrayList<>();
            for (int i = 0; i < sb.cells().size(); i++) {
                CellViewModel c = sb.cells().get(i);
                if (c.getImage() != null) {
                    expected.add(String.format("%02d.png", i + 1));
                } else if (c.isSketch()) {
                    expected.add(String.format("%02d-map.png", i + 1));
                }
            }
            assertEquals(expected, names, "every picture and the sketch's map, numbered in story order");
            int sketchIndex = sb.cells().indexOf(sketch) + 1;
            Path map = folder.resolve(String.format("%02d-map.png", sketchIndex));
            assertEquals("a moon", PictureFiles.text(map).get("Description"));
            int moon = sketch.getSketch().palette().byName("moon").rgb();
            assertEquals(moon, ImageIO.read(map.toFile()).getRGB(100, 100) & 0xFFFFFF);
        }
    }

    @Test
    void fourVariantsBecomeVersionsOfTheCell() {
        StudioViewModel s = studio();
        StoryboardViewModel sb = s.storyboard();
        sb.addText("A red fox walks into the forest.");
        sb.continueStory();
        CellViewModel pic = sb.cells().get(sb.cells().size() - 1);
        assertNotNull(pic.getImage());
        List<GenerationJob> jobs = sb.variants(pic, 4);
        assertEquals(4, jobs.size());
        for (GenerationJob j : jobs) {
            assertEquals(JobStatus.SUCCEEDED, j.getStatus(), () -> String.valueOf(j.getError()));
        }
        assertTrue(jobs.get(1).title().contains("variant 2 of 4"), jobs.get(1).title());
        assertEquals(4, pic.history().size(), "the first picture and three variants are versions");
        long distinctSeeds = pic.history().stream().mapToLong(v -> v.recipe().seed()).distinct().count();
        assertEquals(4, distinctSeeds);
        assertFalse(pic.history().stream().anyMatch(v -> v.recipe().seed() == pic.getRecipe().seed()));
        s.undo();
        assertEquals(3, pic.history().size(), "each variant is its own undo step");
    }
}
