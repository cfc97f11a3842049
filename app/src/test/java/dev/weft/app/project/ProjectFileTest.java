package dev.weft.app.project;

import dev.weft.app.sketch.Sketch;
import dev.weft.app.sketch.SketchOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The .weft format: round trip, atomic writes, and every kind of bad file refused with a clear message. */
public class ProjectFileTest {
    @TempDir
    Path dir;

    public static BufferedImage picture(int seed) {
        BufferedImage b = new BufferedImage(16, 12, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 16; x++) {
                b.setRGB(x, y, (seed * 7919 + x * 131 + y * 17) & 0xFFFFFF);
            }
        }
        return b;
    }

    static Project sample() {
        BufferedImage p = picture(1);
        Recipe r = new Recipe(Recipe.Mode.CONTINUE, List.of("t1"), "1 text cell, 0 pictures", "Once", 7, 3, 1f,
                "DDIM", 6, "tiny", 1234);
        return new Project(List.of(
                new CellData("t1", CellKind.TEXT, "Once upon a time — «ünïcode»\nline two", null, null, List.of()),
                new CellData("i1", CellKind.IMAGE, "", p, r, List.of(new Version("", picture(2), r.withSeed(6)))),
                new CellData("i2", CellKind.IMAGE, "", p, null, List.of()),
                new CellData("t2", CellKind.TEXT, "the end", null, r, List.of(new Version("the start", null, null))),
                new CellData("s1", CellKind.SKETCH, "a beach", null, null, List.of(), new Sketch(256, List.of(
                        new SketchOp.Stroke(3, 16, false, new float[] {1, 2, 30.5f, 40}),
                        new SketchOp.Fill(47, 100, 200), new SketchOp.Clear(),
                        new SketchOp.Stroke(0, 8, true, new float[] {5, 5})))),
                new CellData("i3", CellKind.IMAGE, "", picture(5), new Recipe(Recipe.Mode.STYLE_TO_IMAGE, List.of(),
                        "style reference", "a castle", 3, 4, 7.5f, "DDPM", 40, "tiny", 99, picture(6)), List.of())),
                new Project.Settings(9, false, 12, 3.5f, "DDIM", 33, 2));
    }

    /** Same cells, texts, pictures (pixel for pixel), recipes, versions, sketches and settings. */
    public static void assertSameProject(Project a, Project b) {
        assertEquals(a.settings(), b.settings());
        assertEquals(a.cells().size(), b.cells().size());
        for (int i = 0; i < a.cells().size(); i++) {
            CellData x = a.cells().get(i);
            CellData y = b.cells().get(i);
            assertEquals(x.id(), y.id());
            assertEquals(x.kind(), y.kind());
            assertEquals(x.text(), y.text());
            assertSameRecipe(x.recipe(), y.recipe());
            assertEquals(x.sketch(), y.sketch());
            assertSamePixels(x.image(), y.image());
            assertEquals(x.history().size(), y.history().size());
            for (int j = 0; j < x.history().size(); j++) {
                assertEquals(x.history().get(j).text(), y.history().get(j).text());
                assertSameRecipe(x.history().get(j).recipe(), y.history().get(j).recipe());
                assertSamePixels(x.history().get(j).image(), y.history().get(j).image());
            }
        }
    }

    public static void assertSameRecipe(Recipe a, Recipe b) {
        if (a == null || b == null) {
            assertSame(a, b);
            return;
        }
        assertTrue(a.sameSettings(b), a + " vs " + b);
        assertSamePixels(a.reference(), b.reference());
    }

    public static void assertSamePixels(BufferedImage a, BufferedImage b) {
        if (a == null || b == null) {
            assertSame(a, b);
            return;
        }
        assertEquals(a.getWidth(), b.getWidth());
        assertArrayEquals(a.getRGB(0, 0, a.getWidth(), a.getHeight(), null, 0, a.getWidth()),
                b.getRGB(0, 0, b.getWidth(), b.getHeight(), null, 0, b.getWidth()));
    }

    @Test
    void roundTripKeepsEverythingAndSharesPictures() throws Exception {
        Path f = dir.resolve("story.weft");
        ProjectFile.write(f, sample());
        Project back = ProjectFile.read(f);
        assertSameProject(sample(), back);
        assertSame(back.cells().get(1).image(), back.cells().get(2).image(), "one picture stored once");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList(), "no temporary files left behind");
        }
        // saving what was read gives the same bytes (PNG bytes are kept, not re-encoded)
        Path g = dir.resolve("again.weft");
        ProjectFile.write(g, back);
        assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(g));
    }

    @Test
    void overwriteIsAtomicAndAFailedWriteLeavesTheOldFile() throws Exception {
        Path f = dir.resolve("story.weft");
        ProjectFile.write(f, sample());
        byte[] before = Files.readAllBytes(f);
        BufferedImage broken = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB) {
            @Override
            public int getWidth() {
                throw new IllegalStateException("disk full (simulated)");
            }
        };
        Project bad = new Project(List.of(new CellData("x", CellKind.IMAGE, "", broken, null, List.of())), null);
        ProjectFileException e = assertThrows(ProjectFileException.class, () -> ProjectFile.write(f, bad));
        assertTrue(e.getMessage().contains("was not changed"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "the temporary file was removed");
        }
    }

    private Path zip(String name, Entry... entries) throws IOException {
        Path f = dir.resolve(name);
        try (OutputStream o = Files.newOutputStream(f); ZipOutputStream z = new ZipOutputStream(o)) {
            for (Entry e : entries) {
                z.putNextEntry(new ZipEntry(e.name()));
                z.write(e.bytes());
                z.closeEntry();
            }
        }
        return f;
    }

    record Entry(String name, byte[] bytes) {
        static Entry text(String name, String s) {
            return new Entry(name, s.getBytes(StandardCharsets.UTF_8));
        }
    }

    private String refused(Path f) throws IOException {
        byte[] before = Files.readAllBytes(f);
        ProjectFileException e = assertThrows(ProjectFileException.class, () -> ProjectFile.read(f));
        assertArrayEquals(before, Files.readAllBytes(f), "the file is left as it was");
        return e.getMessage();
    }

    @Test
    void corruptFilesAreRefused() throws Exception {
        Path notZip = dir.resolve("notes.weft");
        Files.writeString(notZip, "just some text, not a zip");
        assertTrue(refused(notZip).contains("damaged or is not a Weft project"), refused(notZip));

        Path f = dir.resolve("story.weft");
        ProjectFile.write(f, sample());
        byte[] all = Files.readAllBytes(f);
        Path truncated = dir.resolve("truncated.weft");
        Files.write(truncated, Arrays.copyOf(all, all.length / 2));
        assertTrue(refused(truncated).contains("damaged"), refused(truncated));

        Path noJson = zip("nojson.weft", Entry.text("readme.txt", "hi"));
        assertTrue(refused(noJson).contains("has no project.json"), refused(noJson));

        Path badJson = zip("badjson.weft", Entry.text("project.json", "{ not json"));
        assertTrue(refused(badJson).contains("not valid JSON"), refused(badJson));

        Path missingPicture = zip("missing.weft", Entry.text("project.json", "{\"formatVersion\":1,\"cells\":"
                + "[{\"id\":\"a\",\"kind\":\"image\",\"image\":\"images/0.png\"}]}"));
        assertTrue(refused(missingPicture).contains("images/0.png is missing"), refused(missingPicture));

        Path badKind = zip("kind.weft", Entry.text("project.json", "{\"formatVersion\":1,\"cells\":"
                + "[{\"id\":\"a\",\"kind\":\"hologram\"}]}"));
        assertTrue(refused(badKind).contains("unknown kind"), refused(badKind));
    }

    @Test
    void newerOrUnknownFormatIsRefusedWithWhatToDo() throws Exception {
        Path newer = zip("newer.weft", Entry.text("project.json", "{\"formatVersion\": 99, \"cells\": []}"));
        String m = refused(newer);
        assertTrue(m.contains("newer Weft") && m.contains("format 99") && m.contains("Update Weft"), m);
        Path none = zip("none.weft", Entry.text("project.json", "{\"cells\": []}"));
        assertTrue(refused(none).contains("no formatVersion"), refused(none));
    }

    /** A project file with an entry that would land outside the project folder ("../../evil.sh"). */
    public static Path zipSlip(Path f) throws IOException {
        try (OutputStream o = Files.newOutputStream(f); ZipOutputStream z = new ZipOutputStream(o)) {
            z.putNextEntry(new ZipEntry("project.json"));
            z.write("{\"formatVersion\":1,\"cells\":[]}".getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
            z.putNextEntry(new ZipEntry("../../evil.sh"));
            z.write("echo pwned".getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        return f;
    }

    @Test
    void zipSlipEntriesAreRefused() throws Exception {
        String json = "{\"formatVersion\":1,\"cells\":[]}";
        for (String evil : List.of("../../evil.sh", "images/../../evil.png", "/etc/passwd", "C:\\evil.png",
                "images\\..\\..\\evil.png")) {
            Path f = zip("slip.weft", Entry.text("project.json", json), Entry.text(evil, "x"));
            String m = refused(f);
            assertTrue(m.contains("points outside the project"), evil + ": " + m);
            Files.delete(f);
        }
        Path ref = zip("ref.weft", Entry.text("project.json", "{\"formatVersion\":1,\"cells\":"
                + "[{\"id\":\"a\",\"kind\":\"image\",\"image\":\"../outside.png\"}]}"));
        assertTrue(refused(ref).contains("points outside the project"), refused(ref));
        assertTrue(!Files.exists(dir.resolveSibling("evil.sh")));
    }

    @Test
    void oversizedPictureIsRefusedBeforeDecoding() throws Exception {
        Path f = zip("huge.weft", Entry.text("project.json", "{\"formatVersion\":1,\"cells\":"
                + "[{\"id\":\"a\",\"kind\":\"image\",\"image\":\"images/0.png\"}]}"),
                new Entry("images/0.png", pngHeader(40_000, 40_000)));
        String m = refused(f);
        assertTrue(m.contains("too large") && m.contains("40000 x 40000"), m);
    }

    /** A PNG signature, an IHDR claiming the size, and IEND: enough for a reader to report the size. */
    static byte[] pngHeader(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(out);
        d.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream i = new DataOutputStream(ihdr);
        i.writeInt(w);
        i.writeInt(h);
        i.write(new byte[] {8, 2, 0, 0, 0});
        chunk(d, "IHDR", ihdr.toByteArray());
        chunk(d, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(DataOutputStream d, String type, byte[] data) throws IOException {
        d.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }
}
