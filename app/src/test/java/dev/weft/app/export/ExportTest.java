package dev.weft.app.export;

import dev.weft.app.StudioViewModel;
import dev.weft.app.common.UiThread;
import dev.weft.app.service.EngineService;
import dev.weft.app.storyboard.StoryboardViewModel;
import dev.weft.app.testing.Fx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HTML and PNG-strip export of a story. */
class ExportTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    @Test
    void htmlPageAndPngStrip() throws Exception {
        StudioViewModel s = StudioViewModel.builder().ui(UiThread.direct()).generation(Runnable::run)
                .io(Runnable::run).engine(new EngineService(Runnable::run, UiThread.direct())).configDir(dir)
                .build();
        StoryboardViewModel sb = s.storyboard();
        sb.addText("The <fox> & the hound.");
        BufferedImage pic = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        pic.setRGB(10, 10, 0xFF0000);
        sb.addImages(List.of(pic, pic));
        sb.addText("The end.");
        sb.addSketch();

        Path html = dir.resolve("out/story.html");
        assertTrue(s.export().exportHtml(html).join());
        String page = Files.readString(html);
        assertTrue(page.contains("<p>The &lt;fox&gt; &amp; the hound.</p>"), page);
        assertEquals(2, page.split("data:image/png;base64,", -1).length - 1, "two pictures inline, no sketch");
        assertTrue(page.indexOf("The end.") > page.lastIndexOf("data:image/png"));

        Path png = dir.resolve("out/strip.png");
        assertTrue(s.export().exportStrip(png).join());
        BufferedImage strip = ImageIO.read(png.toFile());
        assertEquals(StripExport.GAP + 3 * (StripExport.PANEL + StripExport.GAP), strip.getWidth(),
                "two picture panels and a caption-only panel");
        int red = strip.getRGB(StripExport.GAP + 10 * 5 + 2, StripExport.GAP + 10 * 5 + 2);
        assertTrue(((red >> 16) & 255) > 200 && ((red >> 8) & 255) < 80, "the red pixel, scaled 5x: "
                + Integer.toHexString(red));
        try (var l = Files.list(dir.resolve("out"))) {
            assertEquals(2, l.count(), "no temporary files left");
        }
        assertEquals("Untitled.png", s.export().suggestedName("png"));
    }

    @Test
    void emptyStoryHasNoStrip() throws Exception {
        StudioViewModel s = StudioViewModel.builder().ui(UiThread.direct()).generation(Runnable::run)
                .io(Runnable::run).engine(new EngineService(Runnable::run, UiThread.direct())).configDir(dir)
                .build();
        assertFalse(s.export().exportStrip(dir.resolve("x.png")).join());
        assertTrue(s.notifier().last().message().contains("no pictures"));
        assertFalse(Files.exists(dir.resolve("x.png")));
    }
}
