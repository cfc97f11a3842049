package dev.weft.app.export;

import dev.weft.app.StudioViewModel;
import dev.weft.app.common.UiThread;
import dev.weft.app.project.CellData;
import dev.weft.app.project.CellKind;
import dev.weft.app.project.Project;
import dev.weft.app.service.EngineService;
import dev.weft.app.storyboard.StoryboardViewModel;
import dev.weft.app.testing.Fx;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** PDF export, read back with PDFBox: pages, text, pictures; atomic write; fonts with and without a system TTF. */
class PdfExportTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    static BufferedImage picture(int w, int h, int rgb) {
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                b.setRGB(x, y, rgb ^ (x * 3 + y));
            }
        }
        return b;
    }

    /** The pictures drawn on a page, as PDFBox reads them back. */
    static List<PDImageXObject> images(PDPage page) throws Exception {
        List<PDImageXObject> l = new ArrayList<>();
        PDResources r = page.getResources();
        for (COSName n : r.getXObjectNames()) {
            if (r.getXObject(n) instanceof PDImageXObject im) {
                l.add(im);
            }
        }
        return l;
    }

    @Test
    void aStoryBecomesPagesOfWrappedTextAndPicturesAtTheTextWidth() throws Exception {
        StudioViewModel s = StudioViewModel.builder().ui(UiThread.direct()).generation(Runnable::run)
                .io(Runnable::run).engine(new EngineService(Runnable::run, UiThread.direct())).configDir(dir)
                .build();
        StoryboardViewModel sb = s.storyboard();
        sb.addText("A red fox walks into the forest. " + "It is quiet under the old trees. ".repeat(12)
                + "\n\nA second paragraph.");
        sb.addImages(List.of(picture(64, 64, 0x336699)));
        sb.addText("The fox finds a river.");
        sb.addImages(List.of(picture(64, 48, 0x996633), picture(64, 64, 0x669933)));
        sb.addText("The end.");
        sb.addSketch();

        Path pdf = dir.resolve("out/story.pdf");
        assertTrue(s.export().exportPdf(pdf).join(), () -> s.notifier().last().message());
        try (var l = Files.list(dir.resolve("out"))) {
            assertEquals(List.of(pdf), l.toList(), "no temporary file left");
        }
        try (PDDocument doc = Loader.loadPDF(pdf.toFile())) {
            // A4 leaves 714 pt between the margins and a picture at the text width is 467 pt tall (350 pt for
            // 4:3): page 1 holds the title, the text and the first picture, page 2 the next text and the 4:3
            // picture, page 3 the last picture and "The end."
            assertEquals(3, doc.getNumberOfPages());
            for (int i = 0; i < 3; i++) {
                assertEquals(1, images(doc.getPage(i)).size(), "page " + (i + 1));
            }
            assertEquals("Untitled", doc.getDocumentInformation().getTitle());
            String text = new PDFTextStripper().getText(doc).replaceAll("\\s+", " ");
            assertTrue(text.startsWith("Untitled A red fox walks into the forest."), text);
            assertTrue(text.contains("It is quiet under the old trees. It is quiet"), "wrapped, nothing lost");
            assertTrue(text.contains("A second paragraph. The fox finds a river."), text);
            assertTrue(text.contains("The end."));
            assertTrue(text.contains("1 / 3") && text.contains("3 / 3"), "page numbers");

            List<PDImageXObject> all = new ArrayList<>();
            for (PDPage p : doc.getPages()) {
                all.addAll(images(p));
            }
            assertEquals(3, all.size(), "three pictures, no sketch");
            assertEquals(64, all.get(0).getWidth());
            BufferedImage back = all.get(0).getImage();
            assertEquals(picture(64, 64, 0x336699).getRGB(5, 7) & 0xFFFFFF, back.getRGB(5, 7) & 0xFFFFFF,
                    "lossless");
        }
        // the text is wrapped to the page
        float width = PdfExport.PAGE.getWidth() - 2 * PdfExport.MARGIN;
        var font = new org.apache.pdfbox.pdmodel.font.PDType1Font(
                org.apache.pdfbox.pdmodel.font.Standard14Fonts.FontName.TIMES_ROMAN);
        for (String line : PdfExport.wrap("word ".repeat(200) + "x".repeat(300), font, 12, width)) {
            assertTrue(font.getStringWidth(line) / 1000 * 12 <= width, line);
        }
    }

    @Test
    void unicodeTextWithASystemFontOrQuestionMarksWithTheStandardOne() throws Exception {
        Project p = new Project(List.of(new CellData("t", CellKind.TEXT, "Ünïcode «quotes» — and Ωμέγα.", null,
                null, List.of())), null);
        try (PDDocument doc = Loader.loadPDF(PdfExport.pdf(p, "Title", null))) {
            String text = new PDFTextStripper().getText(doc);
            assertTrue(text.contains("Ünïcode «quotes» — and ?????."), text);
        }
        Path[] fonts = PdfExport.systemFonts();
        assumeTrue(fonts != null, "no serif TrueType font on this system");
        try (PDDocument doc = Loader.loadPDF(PdfExport.pdf(p, "Title", fonts))) {
            String text = new PDFTextStripper().getText(doc);
            assertTrue(text.contains("Ünïcode «quotes» — and Ωμέγα."), text);
        }
    }

    @Test
    void aFailedExportLeavesWhatWasThereAndNoTemporaryFile() throws Exception {
        StudioViewModel s = StudioViewModel.builder().ui(UiThread.direct()).generation(Runnable::run)
                .io(Runnable::run).engine(new EngineService(Runnable::run, UiThread.direct())).configDir(dir)
                .build();
        s.storyboard().addText("hello");
        // a folder in the way: the rename over it fails
        Path target = dir.resolve("story.pdf");
        Files.createDirectories(target);
        Files.writeString(target.resolve("keep.txt"), "old");
        assertFalse(s.export().exportPdf(target).join());
        assertEquals("old", Files.readString(target.resolve("keep.txt")));
        assertEquals("Export failed", s.notifier().last().title());
        try (var l = Files.list(dir)) {
            assertEquals(List.of(target), l.toList(), "no temporary file left");
        }
    }
}
