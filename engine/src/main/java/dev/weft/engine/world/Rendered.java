package dev.weft.engine.world;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * A rendered scene: {@code rgb} (0xRRGGBB per pixel, row-major, {@link Renderer#SIZE} square) and {@code labels}
 * (the segmentation class id per pixel: 0 background, {@link ObjectClass#classId()} for objects).
 */
public record Rendered(int[] rgb, byte[] labels) {
    public int side() {
        return Renderer.SIZE;
    }

    public BufferedImage image() {
        BufferedImage img = new BufferedImage(side(), side(), BufferedImage.TYPE_INT_RGB);
        System.arraycopy(rgb, 0, ((DataBufferInt) img.getRaster().getDataBuffer()).getData(), 0, rgb.length);
        return img;
    }

    /** The colour-coded segmentation map ({@link Palette}). */
    public BufferedImage map() {
        return Palette.colourise(labels, side(), side());
    }

    /** Writes the pixels as H x W x 3 uint8 (RGB) at {@code offset}. */
    public void copyRgbTo(byte[] dst, int offset) {
        for (int i = 0; i < rgb.length; i++) {
            int p = rgb[i];
            dst[offset + 3 * i] = (byte) (p >> 16);
            dst[offset + 3 * i + 1] = (byte) (p >> 8);
            dst[offset + 3 * i + 2] = (byte) p;
        }
    }
}
