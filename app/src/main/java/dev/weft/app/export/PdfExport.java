package dev.weft.app.export;

import dev.weft.app.project.CellData;
import dev.weft.app.project.CellKind;
import dev.weft.app.project.Project;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDDocumentInformation;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.font.PDFont;
import org.apache.pdfbox.pdmodel.font.PDType0Font;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.pdfbox.pdmodel.graphics.image.LosslessFactory;
import org.apache.pdfbox.pdmodel.graphics.image.PDImageXObject;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The story as a PDF (A4, Apache PDFBox): a title, text cells as wrapped paragraphs, pictures scaled to the width
 * of the text (smaller if a picture would be taller than a page), page numbers. Sketches are left out, as in the
 * HTML page. Text is set in a system serif font embedded as a subset (DejaVu Serif, Liberation Serif or Noto Serif
 * where installed), so any script those fonts cover survives; without one it falls back to the PDF standard
 * Times, which covers Latin-1 and shows other characters as "?".
 */
public final class PdfExport {
    static final PDRectangle PAGE = PDRectangle.A4;
    /** Margins, points (1/72 inch). */
    static final float MARGIN = 64;
    static final float BODY = 12;
    static final float TITLE = 22;
    static final float LEADING = 1.45f;
    static final float PARAGRAPH_GAP = 8;
    static final float PICTURE_GAP = 14;

    /** Serif fonts looked for, regular and bold, in the usual Linux, macOS and Windows places. */
    static final List<String[]> FONT_CANDIDATES = List.of(
            new String[] {"/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
                "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"},
            new String[] {"/usr/share/fonts/dejavu/DejaVuSerif.ttf", "/usr/share/fonts/dejavu/DejaVuSerif-Bold.ttf"},
            new String[] {"/usr/share/fonts/TTF/DejaVuSerif.ttf", "/usr/share/fonts/TTF/DejaVuSerif-Bold.ttf"},
            new String[] {"/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
                "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf"},
            new String[] {"/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf",
                "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf"},
            new String[] {"/Library/Fonts/Times New Roman.ttf", "/Library/Fonts/Times New Roman Bold.ttf"},
            new String[] {"C:\\Windows\\Fonts\\times.ttf", "C:\\Windows\\Fonts\\timesbd.ttf"});

    private PdfExport() { }

    /** The regular and bold font files to embed, or null for the standard Times. */
    static Path[] systemFonts() {
        for (String[] c : FONT_CANDIDATES) {
            Path regular = Path.of(c[0]);
            if (Files.isReadable(regular)) {
                Path bold = Path.of(c[1]);
                return new Path[] {regular, Files.isReadable(bold) ? bold : regular};
            }
        }
        return null;
    }

    /** The PDF with the fonts found on this system. */
    public static byte[] pdf(Project p, String title) throws IOException {
        return pdf(p, title, systemFonts());
    }

    /**
     * The PDF's bytes.
     *
     * @param fonts regular and bold TrueType files to embed, or null for the standard Times
     */
    public static byte[] pdf(Project p, String title, Path[] fonts) throws IOException {
        try (PDDocument doc = new PDDocument()) {
            PDFont regular;
            PDFont bold;
            if (fonts != null) {
                regular = PDType0Font.load(doc, fonts[0].toFile());
                bold = PDType0Font.load(doc, fonts[1].toFile());
            } else {
                regular = new PDType1Font(Standard14Fonts.FontName.TIMES_ROMAN);
                bold = new PDType1Font(Standard14Fonts.FontName.TIMES_BOLD);
            }
            PDDocumentInformation info = doc.getDocumentInformation();
            info.setTitle(title);
            info.setCreator("Weft studio");
            info.setCreationDate(Calendar.getInstance());
            Layout l = new Layout(doc, regular);
            try {
                l.paragraph(title, bold, TITLE);
                l.y -= PARAGRAPH_GAP;
                for (CellData c : p.cells()) {
                    if (c.kind() == CellKind.TEXT && !c.text().isBlank()) {
                        for (String para : c.text().strip().split("\\n\\s*\\n")) {
                            l.paragraph(para, regular, BODY);
                        }
                    } else if (c.kind() == CellKind.IMAGE && c.image() != null) {
                        l.picture(c.image());
                    }
                }
            } finally {
                l.close();
            }
            l.pageNumbers();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            doc.save(out);
            return out.toByteArray();
        }
    }

    /** Fills pages top to bottom. */
    private static final class Layout {
        private final PDDocument doc;
        private final PDFont numbers;
        private final float width = PAGE.getWidth() - 2 * MARGIN;
        private final Map<PDFont, Map<Integer, Boolean>> encodable = new HashMap<>();
        private PDPageContentStream out;
        float y;

        Layout(PDDocument doc, PDFont numbers) {
            this.doc = doc;
            this.numbers = numbers;
        }

        private void newPage() throws IOException {
            close();
            PDPage page = new PDPage(PAGE);
            doc.addPage(page);
            out = new PDPageContentStream(doc, page);
            y = PAGE.getHeight() - MARGIN;
        }

        private void room(float h) throws IOException {
            if (out == null || y - h < MARGIN) {
                newPage();
            }
        }

        void paragraph(String text, PDFont font, float size) throws IOException {
            float lineHeight = size * LEADING;
            for (String line : wrap(clean(text, font), font, size, width)) {
                room(lineHeight);
                out.beginText();
                out.setFont(font, size);
                out.newLineAtOffset(MARGIN, y - size);
                out.showText(line);
                out.endText();
                y -= lineHeight;
            }
            y -= PARAGRAPH_GAP;
        }

        void picture(BufferedImage img) throws IOException {
            float maxH = PAGE.getHeight() - 2 * MARGIN;
            float w = width;
            float h = w * img.getHeight() / img.getWidth();
            if (h > maxH) {
                w = w * maxH / h;
                h = maxH;
            }
            room(h);
            PDImageXObject x = LosslessFactory.createFromImage(doc, img);
            out.drawImage(x, MARGIN + (width - w) / 2, y - h, w, h);
            y -= h + PICTURE_GAP;
        }

        void close() throws IOException {
            if (out != null) {
                out.close();
                out = null;
            }
        }

        /** "n / N" centred under each page. */
        void pageNumbers() throws IOException {
            int n = doc.getNumberOfPages();
            for (int i = 0; i < n; i++) {
                try (PDPageContentStream s = new PDPageContentStream(doc, doc.getPage(i),
                        PDPageContentStream.AppendMode.APPEND, true, true)) {
                    String label = (i + 1) + " / " + n;
                    float size = 9;
                    float w = numbers.getStringWidth(label) / 1000 * size;
                    s.beginText();
                    s.setFont(numbers, size);
                    s.setNonStrokingColor(0.45f, 0.45f, 0.45f);
                    s.newLineAtOffset((PAGE.getWidth() - w) / 2, MARGIN / 2);
                    s.showText(label);
                    s.endText();
                }
            }
        }

        /** The text with characters the font cannot show replaced by "?" and tabs and controls by spaces. */
        private String clean(String text, PDFont font) {
            Map<Integer, Boolean> known = encodable.computeIfAbsent(font, f -> new HashMap<>());
            StringBuilder b = new StringBuilder(text.length());
            text.codePoints().forEach(cp -> {
                if (cp == '\n') {
                    b.append('\n');
                    return;
                }
                if (Character.isISOControl(cp) || Character.isWhitespace(cp)) {
                    b.append(' ');
                    return;
                }
                boolean ok = known.computeIfAbsent(cp, c -> {
                    try {
                        font.encode(new String(Character.toChars(c)));
                        return true;
                    } catch (IOException | IllegalArgumentException e) {
                        return false;
                    }
                });
                b.append(ok ? new String(Character.toChars(cp)) : "?");
            });
            return b.toString();
        }
    }

    /** Greedy word wrap to {@code width} points; line breaks are kept, words longer than a line are cut. */
    static List<String> wrap(String text, PDFont font, float size, float width) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String hard : text.split("\n", -1)) {
            StringBuilder line = new StringBuilder();
            for (String word : hard.trim().split(" +")) {
                if (word.isEmpty()) {
                    continue;
                }
                String candidate = line.length() == 0 ? word : line + " " + word;
                if (width(candidate, font, size) <= width) {
                    line.setLength(0);
                    line.append(candidate);
                    continue;
                }
                if (line.length() > 0) {
                    lines.add(line.toString());
                    line.setLength(0);
                }
                // a word wider than the line: cut it
                String rest = word;
                while (width(rest, font, size) > width) {
                    int cut = rest.length() - 1;
                    while (cut > 1 && width(rest.substring(0, cut), font, size) > width) {
                        cut--;
                    }
                    lines.add(rest.substring(0, cut));
                    rest = rest.substring(cut);
                }
                line.append(rest);
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private static float width(String s, PDFont font, float size) throws IOException {
        return font.getStringWidth(s) / 1000 * size;
    }
}
