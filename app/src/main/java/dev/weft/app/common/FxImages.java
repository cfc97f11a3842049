package dev.weft.app.common;

import javafx.scene.image.Image;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;

import java.awt.image.BufferedImage;

/** AWT and JavaFX images, both ways (ARGB ints; no javafx-swing needed). Safe off the FX thread. */
public final class FxImages {
    private FxImages() { }

    public static WritableImage toFx(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        WritableImage out = new WritableImage(w, h);
        out.getPixelWriter().setPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), argb, 0, w);
        return out;
    }

    /** An opaque RGB copy (transparent pixels over white), the form the engine and the project file use. */
    public static BufferedImage fromFx(Image img) {
        int w = (int) img.getWidth();
        int h = (int) img.getHeight();
        if (w <= 0 || h <= 0) {
            throw new IllegalArgumentException("image: expected a positive size, found " + w + " x " + h);
        }
        PixelReader r = img.getPixelReader();
        if (r == null) {
            throw new IllegalArgumentException("image: not loaded yet");
        }
        int[] argb = new int[w * h];
        r.getPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), argb, 0, w);
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < argb.length; i++) {
            argb[i] = overWhite(argb[i]);
        }
        out.setRGB(0, 0, w, h, argb, 0, w);
        return out;
    }

    static int overWhite(int argb) {
        int a = argb >>> 24;
        if (a == 255) {
            return argb & 0xFFFFFF;
        }
        int r = ((argb >> 16) & 255) * a / 255 + (255 - a);
        int g = ((argb >> 8) & 255) * a / 255 + (255 - a);
        int b = (argb & 255) * a / 255 + (255 - a);
        return (r << 16) | (g << 8) | b;
    }
}
