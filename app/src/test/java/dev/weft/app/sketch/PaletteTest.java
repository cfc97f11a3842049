package dev.weft.app.sketch;

import dev.weft.app.project.CellData;
import dev.weft.app.project.CellKind;
import dev.weft.app.project.Project;
import dev.weft.app.project.ProjectFile;
import dev.weft.engine.world.Palette;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sketch pad's classes come from the model folder; sketches keep theirs; names, never colours, are picked. */
class PaletteTest {
    @TempDir
    Path dir;

    @Test
    void theBundledModelsCarryTheWorldsPalette() {
        for (String model : List.of("tiny", "weft-small")) {
            SegmentationPalette p = SegmentationPalette.forModel(Path.of("../assets", model));
            assertEquals(model, p.name());
            assertEquals(Palette.classes(), p.classes().size(), model);
            for (int k = 0; k < Palette.classes(); k++) {
                assertEquals(Palette.name(k), p.byId(k).name(), model + " class " + k);
                assertEquals(Palette.rgb(k), p.color(k), model + " class " + k);
            }
            assertEquals(Palette.classes() - 1, p.brushes().size(), "the background is the eraser, not a brush");
        }
    }

    @Test
    void aFolderWithoutOneIsAnMmInterleavedCheckpointWithAde20k() throws Exception {
        assertSame(SegmentationPalette.ade20k(), SegmentationPalette.forModel(dir));
        Files.writeString(dir.resolve("palette.json"),
                "{\"classes\": [{\"id\": 1, \"name\": \"sky\", \"rgb\": [1, 2]}]}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SegmentationPalette.forModel(dir));
        assertTrue(e.getMessage().contains("palette.json") && e.getMessage().contains("rgb"), e.getMessage());
        Files.writeString(dir.resolve("palette.json"), "{\"name\": \"two skies\", \"classes\": ["
                + "{\"id\": 1, \"name\": \"sky\", \"rgb\": [1, 2, 3]}, "
                + "{\"id\": 2, \"name\": \"sea\", \"rgb\": [1, 2, 3]}]}");
        e = assertThrows(IllegalArgumentException.class, () -> SegmentationPalette.forModel(dir));
        assertTrue(e.getMessage().contains("colour of another class"), e.getMessage());
        Files.writeString(dir.resolve("palette.json"), "{\"name\": \"mine\", \"classes\": ["
                + "{\"id\": 0, \"name\": \"void\", \"rgb\": [9, 9, 9]}, "
                + "{\"id\": 5, \"name\": \"sky\", \"rgb\": [1, 2, 3]}]}");
        SegmentationPalette p = SegmentationPalette.forModel(dir);
        assertEquals("mine", p.name());
        assertEquals(0x090909, p.color(SegmentationPalette.UNLABELLED));
        assertEquals(0x090909, p.color(77), "unknown ids paint the background");
        assertNull(p.byId(77));
    }

    @Test
    void aSketchIsRasterizedInItsOwnPalette() {
        SegmentationPalette world = SegmentationPalette.forModel(Path.of("../assets/tiny"));
        int moon = world.byName("moon").id();
        Sketch s = Sketch.empty(world).with(new SketchOp.Stroke(moon, 20, false, new float[] {0, 50, 255, 50}))
                .with(new SketchOp.Fill(world.byName("fish").id(), 10, 200))
                .with(new SketchOp.Stroke(moon, 10, true, new float[] {128, 200}));
        BufferedImage m = SketchRasterizer.rasterize(s);
        assertEquals(Palette.rgb(moon), m.getRGB(100, 50) & 0xFFFFFF);
        assertEquals(Palette.rgb(world.byName("fish").id()), m.getRGB(10, 250) & 0xFFFFFF);
        assertEquals(0, m.getRGB(128, 200) & 0xFFFFFF, "erased to the background");
        // every pixel is a class of the palette: the world's decoder reads the map back exactly
        byte[] ids = Palette.decode(m);
        assertEquals(moon, ids[50 * 256 + 100]);
    }

    @Test
    void thePickedClassIsReadInEachSketchsPaletteByName() {
        SegmentationPalette world = SegmentationPalette.forModel(Path.of("../assets/tiny"));
        SegmentationPalette ade = SegmentationPalette.ade20k();
        SketchTools tools = new SketchTools();
        tools.labelProperty().set(ade.byName("tree"));
        assertEquals(ade.byName("tree"), tools.labelIn(ade));
        assertEquals(world.byName("tree"), tools.labelIn(world), "the world's tree, in the world's colour");
        tools.labelProperty().set(ade.byName("sky"));
        assertEquals(world.brushes().get(0), tools.labelIn(world), "no sky in the world: its first class");
        SketchOp.Stroke st = (SketchOp.Stroke) tools.stroke(new float[] {1, 2}, world);
        assertEquals(world.brushes().get(0).id(), st.label());
    }

    @Test
    void aProjectKeepsEachSketchsPaletteAndOldSketchesAreAde20k() throws Exception {
        SegmentationPalette world = SegmentationPalette.forModel(Path.of("../assets/tiny"));
        Sketch drawn = Sketch.empty(world).with(new SketchOp.Fill(7, 3, 4));
        Path f = dir.resolve("p.weft");
        ProjectFile.write(f, new Project(List.of(new CellData("s1", CellKind.SKETCH, "a house", null, null,
                List.of(), drawn)), null));
        Sketch back = ProjectFile.read(f).cells().get(0).sketch();
        assertEquals(drawn, back);
        assertEquals("house", back.palette().byId(7).name());

        // a project written before sketches had palettes
        String json = "{\"formatVersion\": 1, \"cells\": [{\"id\": \"s1\", \"kind\": \"sketch\", \"text\": \"\", "
                + "\"sketch\": {\"size\": 256, \"ops\": [{\"type\": \"fill\", \"label\": 3, \"x\": 1, \"y\": 1}]}}]}";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("project.json"));
            zip.write(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        Path old = dir.resolve("old.weft");
        Files.write(old, bytes.toByteArray());
        Sketch oldSketch = ProjectFile.read(old).cells().get(0).sketch();
        assertSame(SegmentationPalette.ade20k(), oldSketch.palette());
        assertEquals(SegmentationPalette.ade20kColor(3),
                SketchRasterizer.rasterize(oldSketch).getRGB(0, 0) & 0xFFFFFF);
    }
}
