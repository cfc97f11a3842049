package dev.weft.engine.world;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A contact sheet of the world: a row per style, one scene in every style with its map, a story with its
 * sentences, and map-to-image pairs. {@code ContactSheet [OUT.png] [SEED]} (default {@code docs/world-samples.png}).
 */
public final class ContactSheet {
    private static final int T = Renderer.SIZE;
    private static final int GAP = 6;
    private static final int LABEL = 16;
    private static final int COLS = 7;

    private ContactSheet() { }

    public static BufferedImage draw(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Row> rows = new ArrayList<>();
        for (Style st : Style.values()) {
            List<Tile> tiles = new ArrayList<>();
            for (int k = 0; k < COLS; k++) {
                Scene s = WorldGenerator.scene(r, Background.values()[k % Background.values().length], st, 1 + r.nextInt(3));
                tiles.add(new Tile(Renderer.render(s).image(), null));
            }
            rows.add(new Row("style: " + st.id(), tiles));
        }
        Scene same = WorldGenerator.scene(r, Background.GRASS, Style.FLAT, 3);
        List<Tile> styleTiles = new ArrayList<>();
        for (Style st : Style.values()) {
            styleTiles.add(new Tile(Renderer.render(same.withStyle(st)).image(), st.id()));
        }
        styleTiles.add(new Tile(Renderer.render(same).map(), "map"));
        rows.add(new Row("one scene, every style: " + same.caption().text(), styleTiles));
        Story story = WorldGenerator.story(r);
        while (story.scenes().size() < 5) {
            story = WorldGenerator.story(r);
        }
        List<Tile> storyTiles = new ArrayList<>();
        for (int k = 0; k < story.scenes().size(); k++) {
            storyTiles.add(new Tile(Renderer.render(story.scenes().get(k)).image(), story.sentences().get(k).text()));
        }
        rows.add(new Row("a story", storyTiles));
        List<Tile> pairs = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            Scene s = WorldGenerator.scene(r, 2, 3);
            Rendered rd = Renderer.render(s);
            pairs.add(new Tile(rd.map(), "map"));
            pairs.add(new Tile(rd.image(), s.style().id()));
        }
        rows.add(new Row("segment task: map -> image", pairs));

        int rowH = LABEL + T + 12 * 5 + GAP;
        int w = GAP + COLS * (T + GAP);
        BufferedImage sheet = new BufferedImage(w, rows.size() * rowH + GAP, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setColor(new Color(0x202226));
        g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        g.setFont(font);
        int y = GAP;
        for (Row row : rows) {
            g.setColor(new Color(0xE8E8E8));
            g.drawString(row.title, GAP, y + 12);
            for (int k = 0; k < row.tiles.size(); k++) {
                int x = GAP + k * (T + GAP);
                g.drawImage(row.tiles.get(k).img, x, y + LABEL, null);
                String cap = row.tiles.get(k).caption;
                if (cap != null) {
                    g.setColor(new Color(0xC8C8C8));
                    int line = 0;
                    for (String l : wrap(cap, g, T)) {
                        g.drawString(l, x, y + LABEL + T + 12 + 12 * line++);
                    }
                }
            }
            y += rowH;
        }
        g.dispose();
        return sheet;
    }

    private static List<String> wrap(String text, Graphics2D g, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String word : text.split(" ")) {
            String next = cur.length() == 0 ? word : cur + " " + word;
            if (g.getFontMetrics().stringWidth(next) > width && cur.length() > 0) {
                lines.add(cur.toString());
                cur = new StringBuilder(word);
            } else {
                cur = new StringBuilder(next);
            }
        }
        if (cur.length() > 0) {
            lines.add(cur.toString());
        }
        return lines.subList(0, Math.min(5, lines.size()));
    }

    private record Tile(BufferedImage img, String caption) { }

    private record Row(String title, List<Tile> tiles) { }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/world-samples.png");
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 7;
        Files.createDirectories(out.toAbsolutePath().getParent());
        ImageIO.write(draw(seed), "png", out.toFile());
        System.out.println("wrote " + out);
    }
}
