package dev.weft.app.export;

import dev.weft.app.project.CellData;
import dev.weft.app.project.CellKind;
import dev.weft.app.project.Project;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.font.FontRenderContext;
import java.awt.font.LineBreakMeasurer;
import java.awt.font.TextAttribute;
import java.awt.font.TextLayout;
import java.awt.image.BufferedImage;
import java.text.AttributedString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The story as a comic strip PNG: one panel per picture, left to right, with the text written since the previous
 * picture as its caption underneath (text after the last picture gets a caption-only panel).
 */
public final class StripExport {
    static final int PANEL = 320;
    static final int GAP = 16;
    static final int CAPTION_LINES = 8;
    private static final Font FONT = new Font(Font.SERIF, Font.PLAIN, 15);

    private StripExport() { }

    record Panel(BufferedImage picture, String caption) { }

    static List<Panel> panels(Project p) {
        List<Panel> out = new ArrayList<>();
        StringBuilder caption = new StringBuilder();
        for (CellData c : p.cells()) {
            if (c.kind() == CellKind.TEXT && !c.text().isBlank()) {
                if (caption.length() > 0) {
                    caption.append(' ');
                }
                caption.append(c.text().strip().replace('\n', ' '));
            } else if (c.kind() == CellKind.IMAGE && c.image() != null) {
                out.add(new Panel(c.image(), caption.toString()));
                caption.setLength(0);
            }
        }
        if (caption.length() > 0) {
            out.add(new Panel(null, caption.toString()));
        }
        return out;
    }

    /** The strip, or null when the story has nothing to show. */
    public static BufferedImage strip(Project p) {
        List<Panel> panels = panels(p);
        if (panels.isEmpty()) {
            return null;
        }
        int lineHeight = 20;
        int captionHeight = CAPTION_LINES * lineHeight + GAP;
        int w = GAP + panels.size() * (PANEL + GAP);
        int h = GAP + PANEL + GAP + captionHeight;
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            int x = GAP;
            for (Panel panel : panels) {
                g.setColor(new Color(0xDDDDDD));
                g.drawRect(x - 1, GAP - 1, PANEL + 1, PANEL + 1);
                if (panel.picture() != null) {
                    BufferedImage pic = panel.picture();
                    double s = Math.min(PANEL / (double) pic.getWidth(), PANEL / (double) pic.getHeight());
                    int pw = (int) Math.round(pic.getWidth() * s);
                    int ph = (int) Math.round(pic.getHeight() * s);
                    g.drawImage(pic, x + (PANEL - pw) / 2, GAP + (PANEL - ph) / 2, pw, ph, null);
                }
                caption(g, panel.caption(), x, GAP + PANEL + GAP, PANEL, CAPTION_LINES);
                x += PANEL + GAP;
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static void caption(Graphics2D g, String text, int x, int y, int width, int maxLines) {
        if (text.isBlank()) {
            return;
        }
        g.setColor(new Color(0x222222));
        AttributedString as = new AttributedString(text, Map.of(TextAttribute.FONT, FONT));
        FontRenderContext frc = g.getFontRenderContext();
        LineBreakMeasurer m = new LineBreakMeasurer(as.getIterator(), frc);
        float cy = y;
        int lines = 0;
        while (m.getPosition() < text.length() && lines < maxLines) {
            TextLayout l = m.nextLayout(width);
            cy += l.getAscent();
            l.draw(g, x, cy);
            cy += l.getDescent() + l.getLeading();
            lines++;
        }
    }
}
