import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.File;

/**
 * Draws the studio's icon (a woven square: light warp threads, coloured weft threads passing over and under them on
 * the studio's accent blue) as a PNG. Run by build.sh: {@code java installer/WeftIcon.java OUT.png [SIZE]}.
 */
public final class WeftIcon {
    private WeftIcon() { }

    public static void main(String[] args) throws Exception {
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        double s = size / 256.0;
        RoundRectangle2D tile = new RoundRectangle2D.Double(8 * s, 8 * s, 240 * s, 240 * s, 56 * s, 56 * s);
        g.setColor(new Color(0x3563c9));
        g.fill(tile);
        g.setClip(tile);

        int n = 4;
        double x0 = 40 * s;
        double pitch = 176 * s / n;
        double band = pitch * 0.64;
        Color warp = new Color(0xeef3fd);
        Color[] weft = {new Color(0xf2a33a), new Color(0x5cb85c), new Color(0xf5d547), new Color(0xe0574f)};
        Color shade = new Color(0, 0, 0, 50);
        // warp threads (vertical) first; weft threads (horizontal) then cross over every other one
        for (int i = 0; i < n; i++) {
            double x = x0 + pitch * i + (pitch - band) / 2;
            g.setColor(warp);
            g.fill(new java.awt.geom.Rectangle2D.Double(x, 24 * s, band, 208 * s));
        }
        for (int j = 0; j < n; j++) {
            double y = x0 + pitch * j + (pitch - band) / 2;
            g.setColor(weft[j % weft.length]);
            g.fill(new java.awt.geom.Rectangle2D.Double(24 * s, y, 208 * s, band));
            // where the weft passes under a warp thread, the warp is drawn again on top with a soft shadow
            for (int i = (j % 2); i < n; i += 2) {
                double x = x0 + pitch * i + (pitch - band) / 2;
                g.setColor(shade);
                g.fill(new java.awt.geom.Rectangle2D.Double(x - 3 * s, y, band + 6 * s, band));
                g.setColor(warp);
                g.fill(new java.awt.geom.Rectangle2D.Double(x, y - 1, band, band + 2));
            }
        }
        g.setClip(null);
        g.setStroke(new BasicStroke((float) (6 * s)));
        g.setColor(new Color(0x24479a));
        g.draw(tile);
        g.dispose();
        File out = new File(args[0]);
        if (!ImageIO.write(img, "png", out)) {
            throw new IllegalStateException("no PNG writer");
        }
    }
}
