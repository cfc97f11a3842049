package dev.weft.app.samples;

import dev.weft.app.StudioViewModel;
import dev.weft.app.project.CellKind;
import dev.weft.app.project.Project;
import dev.weft.app.project.ProjectFile;
import dev.weft.app.project.Recipe;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.queue.JobStatus;
import dev.weft.app.sketch.SegmentationPalette;
import dev.weft.app.storyboard.CellViewModel;
import dev.weft.app.storyboard.StoryboardViewModel;
import dev.weft.app.testing.Fx;
import dev.weft.app.testing.SmallEngine;
import dev.weft.engine.world.Grammar;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every sample project in {@code samples/} opens through the studio's project reader and has what it is for, and
 * one generated cell of each is made again on the bundled model (with a new seed, through the same call as the
 * cell's "Vary seed"): the new picture differs from the saved one, which is kept as an earlier version.
 */
class SampleProjectsTest {
    static final Path SAMPLES = Path.of("../samples");

    @TempDir
    Path config;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    @Test
    void everySampleOpensAndACellOfEachIsRegeneratedOnTheBundledModel() throws Exception {
        List<Path> files;
        try (Stream<Path> l = Files.list(SAMPLES)) {
            files = l.filter(p -> p.getFileName().toString().endsWith(ProjectFile.EXTENSION)).sorted().toList();
        }
        assertEquals(List.of(SampleProjects.STORY_FILE, SampleProjects.SEGMENTATION_FILE,
                SampleProjects.STYLE_FILE).stream().sorted().toList(),
                files.stream().map(p -> p.getFileName().toString()).toList());
        StudioViewModel studio = SampleProjects.studio(SmallEngine.get(), SmallEngine.DIR, config);
        StoryboardViewModel sb = studio.storyboard();
        Map<String, Recipe.Mode> regenerated = Map.of(SampleProjects.STORY_FILE, Recipe.Mode.CONTINUE,
                SampleProjects.STYLE_FILE, Recipe.Mode.STYLE_TO_IMAGE,
                SampleProjects.SEGMENTATION_FILE, Recipe.Mode.SEGMENT_TO_IMAGE);
        for (Path f : files) {
            String name = f.getFileName().toString();
            assertTrue(Files.size(f) < 1_000_000, name + " is " + Files.size(f) + " bytes");
            Project read = ProjectFile.read(f);
            assertTrue(studio.project().open(f).join(), () -> name + ": " + studio.notifier().last());
            assertEquals(read.cells().size(), sb.cells().size());
            check(name, sb, studio.engine().palette());

            CellViewModel cell = sb.cells().stream().filter(c -> c.getRecipe() != null && c.getImage() != null
                    && c.getRecipe().mode() == regenerated.get(name)).reduce((a, b) -> b).orElseThrow();
            BufferedImage before = cell.getImage();
            long t0 = System.nanoTime();
            GenerationJob job = sb.varySeed(cell);
            assertNotNull(job, name);
            assertEquals(JobStatus.SUCCEEDED, job.getStatus(), () -> name + ": " + job.getError());
            BufferedImage after = cell.getImage();
            assertEquals(before.getWidth(), after.getWidth());
            assertFalse(Arrays.equals(pixels(before), pixels(after)), name + ": a new seed, a new picture");
            assertSame(before, cell.history().get(0).image(), name + ": the saved picture is an earlier version");
            assertEquals(regenerated.get(name), cell.getRecipe().mode());
            assertEquals("weft-small", cell.getRecipe().modelId());
            System.out.printf("%s: %d cells, %,d bytes; %s %d steps regenerated in %.1f s%n", name,
                    read.cells().size(), Files.size(f), cell.getRecipe().mode(), cell.getRecipe().steps(),
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    /** What each sample is for. */
    private static void check(String name, StoryboardViewModel sb, SegmentationPalette model) {
        List<CellViewModel> cells = sb.cells();
        switch (name) {
            case SampleProjects.STORY_FILE -> {
                assertTrue(cells.size() >= 6, "an opening and a continuation");
                assertTrue(cells.get(0).isText() && Grammar.parses(cells.get(0).getText()),
                        "the opening is a sentence of the world: " + cells.get(0).getText());
                assertSame(CellKind.IMAGE, cells.get(1).kind());
                assertTrue(cells.stream().anyMatch(c -> c.isText() && c.getRecipe() != null),
                        "the model wrote some of the text");
            }
            case SampleProjects.STYLE_FILE -> {
                List<CellViewModel> painted = cells.stream().filter(c -> c.getRecipe() != null
                        && c.getRecipe().mode() == Recipe.Mode.STYLE_TO_IMAGE).toList();
                assertTrue(painted.size() >= 3, "pictures painted from a few references");
                for (CellViewModel c : painted) {
                    assertNotNull(c.getRecipe().reference(), "the reference is kept");
                    assertTrue(cells.stream().anyMatch(r -> r.getImage() == c.getRecipe().reference()),
                            "the reference is a picture of the board");
                    assertTrue(Grammar.parses(c.getRecipe().prompt()), c.getRecipe().prompt());
                }
            }
            case SampleProjects.SEGMENTATION_FILE -> {
                List<CellViewModel> sketches = cells.stream().filter(CellViewModel::isSketch).toList();
                assertTrue(sketches.size() >= 3, "a set of maps");
                for (CellViewModel s : sketches) {
                    assertFalse(s.getSketch().isBlank());
                    assertTrue(s.getSketch().palette().sameClasses(model), "drawn with the model's classes");
                    assertEquals("weft-small", model.name());
                    assertTrue(Grammar.parses(s.getText()), "the caption: " + s.getText());
                }
            }
            default -> throw new AssertionError("an unexpected sample: " + name);
        }
    }

    static int[] pixels(BufferedImage b) {
        return b.getRGB(0, 0, b.getWidth(), b.getHeight(), null, 0, b.getWidth());
    }
}
