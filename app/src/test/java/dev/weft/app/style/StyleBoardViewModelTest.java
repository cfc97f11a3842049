package dev.weft.app.style;

import dev.weft.app.StudioViewModel;
import dev.weft.app.project.Recipe;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.queue.JobStatus;
import dev.weft.app.storyboard.CellViewModel;
import dev.weft.app.testing.Fx;
import dev.weft.app.testing.TinyEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reference + text painted as variants side by side; the picked one goes into the story and can be redone. */
class StyleBoardViewModelTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    @Test
    void paintVariantsPickOneAndRegenerateIt() {
        StudioViewModel s = TinyEngine.studio(dir).build();
        TinyEngine.fast(s.storyboard().settings());
        StyleBoardViewModel board = s.styleBoard();
        assertTrue(board.paint().isEmpty(), "no reference yet");
        BufferedImage ref = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        ref.setRGB(3, 4, 0xFF8800);
        board.setReference(ref);
        board.textProperty().set("a lighthouse at dusk");
        board.countProperty().set(2);
        List<GenerationJob> jobs = board.paint();
        assertEquals(2, jobs.size());
        jobs.forEach(j -> assertEquals(JobStatus.SUCCEEDED, j.getStatus(), () -> String.valueOf(j.getError())));
        StyleBoardViewModel.Variant a = board.variants().get(0);
        StyleBoardViewModel.Variant b = board.variants().get(1);
        assertEquals(a.seed() + 1, b.seed());
        assertFalse(Arrays.equals(pixels(a.getImage()), pixels(b.getImage())), "variants differ");

        s.storyboard().addText("The keeper lit the lamp.");
        CellViewModel picked = board.pick(b);
        assertEquals(2, s.storyboard().cells().size());
        assertSame(b.getImage(), picked.getImage());
        Recipe r = picked.getRecipe();
        assertEquals(Recipe.Mode.STYLE_TO_IMAGE, r.mode());
        assertEquals("a lighthouse at dusk", r.prompt());
        assertSame(ref, r.reference());
        assertEquals(b.seed(), r.seed());

        GenerationJob redo = s.storyboard().regenerate(picked);
        assertEquals(JobStatus.SUCCEEDED, redo.getStatus(), () -> String.valueOf(redo.getError()));
        assertTrue(Arrays.equals(pixels(b.getImage()), pixels(picked.getImage())), "same recipe, same picture");
        assertEquals(1, picked.history().size());
        s.undo();
        s.undo();
        assertEquals(1, s.storyboard().cells().size());
    }

    static int[] pixels(BufferedImage b) {
        return b.getRGB(0, 0, b.getWidth(), b.getHeight(), null, 0, b.getWidth());
    }
}
