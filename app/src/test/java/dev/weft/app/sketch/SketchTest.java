package dev.weft.app.sketch;

import dev.weft.app.StudioViewModel;
import dev.weft.app.project.Recipe;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.queue.JobStatus;
import dev.weft.app.storyboard.CellViewModel;
import dev.weft.app.storyboard.StoryboardViewModel;
import dev.weft.app.testing.Fx;
import dev.weft.app.testing.TinyEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Strokes as data, rasterized exactly; undo per stroke; painting a picture from a sketch with the tiny engine. */
class SketchTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    @Test
    void paletteIsMmInterleavedsPerLocationColours() {
        // define_colors_per_location_mean_sep: 6 steps of 42 per channel; class k at location k - 1
        assertEquals(0xFFFFFF, SegmentationPalette.ade20kColor(1));            // wall: location 0
        assertEquals((255 << 16) | (255 << 8) | (255 - 2 * 42), SegmentationPalette.ade20kColor(3)); // sky
        assertEquals((255 - 4 * 42) << 16 | (255 - 0) << 8 | (255 - 5 * 42), SegmentationPalette.ade20kColor(150));
        assertEquals(0, SegmentationPalette.ade20kColor(SegmentationPalette.UNLABELLED));
        long distinct = java.util.stream.IntStream.rangeClosed(1, 150).map(SegmentationPalette::ade20kColor).distinct()
                .count();
        assertEquals(150, distinct);
    }

    @Test
    void rasterizeStrokesFillEraseAndClear() {
        int sky = SegmentationPalette.ade20kColor(3);
        int sand = SegmentationPalette.ade20kColor(47);
        Sketch s = Sketch.empty()
                .with(new SketchOp.Stroke(3, 20, false, new float[] {0, 50, 255, 50}))   // a band across
                .with(new SketchOp.Fill(47, 10, 200))                                    // below the band
                .with(new SketchOp.Stroke(0, 10, true, new float[] {128, 200}));         // an erased dot
        BufferedImage m = SketchRasterizer.rasterize(s);
        assertEquals(sky, m.getRGB(100, 50) & 0xFFFFFF);
        assertEquals(0, m.getRGB(100, 10) & 0xFFFFFF, "above the band stays unlabelled");
        assertEquals(sand, m.getRGB(10, 250) & 0xFFFFFF, "the fill stops at the band");
        assertEquals(0, m.getRGB(128, 200) & 0xFFFFFF, "erased");
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                colours.add(m.getRGB(x, y) & 0xFFFFFF);
            }
        }
        assertEquals(java.util.Set.of(0, sky, sand), colours, "no antialiased in-between colours");
        assertTrue(s.with(new SketchOp.Clear()).isBlank());
    }

    @Test
    void eachStrokeIsOneUndoStepAndAPictureIsPaintedFromTheSketch() {
        StudioViewModel s = TinyEngine.studio(dir).build();
        StoryboardViewModel sb = s.storyboard();
        TinyEngine.fast(sb.settings());
        CellViewModel sketch = sb.addSketch();
        assertTrue(sketch.isSketch());
        SegmentationPalette world = sketch.getSketch().palette();
        assertEquals(13, world.classes().size(), "the tiny model's palette.json: the world's classes");
        sb.sketchTools().labelProperty().set(world.byName("moon"));
        sb.sketchOp(sketch, sb.sketchTools().stroke(new float[] {0, 40, 255, 40}, world));
        sb.sketchTools().labelProperty().set(world.byName("boat"));
        sb.sketchOp(sketch, new SketchOp.Fill(world.byName("boat").id(), 5, 250));
        sb.editText(sketch, "a beach under the sky");
        assertEquals(2, sketch.getSketch().ops().size());
        s.undo(); // caption
        s.undo(); // fill
        assertEquals(1, sketch.getSketch().ops().size());
        s.redo();
        s.redo();
        assertEquals("a beach under the sky", sketch.getText());

        GenerationJob job = sb.paintFromSketch(sketch);
        assertEquals(JobStatus.SUCCEEDED, job.getStatus(), () -> String.valueOf(job.getError()));
        assertEquals(2, sb.cells().size());
        CellViewModel pic = sb.cells().get(1);
        assertNotNull(pic.getImage());
        Recipe r = pic.getRecipe();
        assertEquals(Recipe.Mode.SEGMENT_TO_IMAGE, r.mode());
        assertEquals(List.of(sketch.id()), r.contextCellIds());
        assertEquals("a beach under the sky", r.prompt());
        // the picture's recipe points at the sketch: vary seed repaints from it
        GenerationJob again = sb.varySeed(pic);
        assertEquals(JobStatus.SUCCEEDED, again.getStatus(), () -> String.valueOf(again.getError()));
        assertEquals(1, pic.history().size());
        assertEquals(Recipe.Mode.SEGMENT_TO_IMAGE, pic.getRecipe().mode());
        s.undo();
        s.undo();
        assertEquals(1, sb.cells().size(), "painting was one step");
        assertFalse(sb.toProject().cells().get(0).sketch().isBlank());
    }
}
