package dev.weft.engine.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Image files and tensors. Decoding goes through ImageIO with TwelveMonkeys' plugins (PNG, JPEG, WebP, TIFF).
 *
 * <p>Pre-processing mirrors MM-Interleaved's {@code transform_numpy} (notes 1.2): shortest side to the target with
 * bicubic resampling, halving with a box filter first while the side is at least twice the target, centre crop,
 * scale to [0, 1], CHW. (Java2D's bicubic is not PIL's, so pixels differ slightly from the reference's; parity
 * fixtures therefore start from tensors, not files.)
 */
public final class Images {
    private Images() { }

    /** Reads an image file; a missing or undecodable file gives a message naming it. */
    public static BufferedImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ImageException(file + ": image file not found");
        }
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new ImageException(file + ": cannot decode image (" + e.getMessage() + ")");
        }
        if (img == null) {
            throw new ImageException(file + ": cannot decode image (not a PNG, JPEG, WebP or TIFF file)");
        }
        return toRgb(img);
    }

    public static void writePng(BufferedImage img, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".part");
        try {
            if (!ImageIO.write(img, "png", tmp.toFile())) {
                throw new IOException("no PNG writer");
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static BufferedImage toRgb(BufferedImage img) {
        if (img.getType() == BufferedImage.TYPE_INT_RGB) {
            return img;
        }
        BufferedImage rgb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = rgb.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.drawImage(img, 0, 0, null);
        g.dispose();
        return rgb;
    }

    /** Shortest side to {@code size} (box halving, then bicubic), centre-cropped to size x size. */
    public static BufferedImage resizeCenterCrop(BufferedImage img, int size) {
        BufferedImage cur = toRgb(img);
        while (Math.min(cur.getWidth(), cur.getHeight()) >= 2 * size) {
            cur = scale(cur, cur.getWidth() / 2, cur.getHeight() / 2, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        }
        double s = size / (double) Math.min(cur.getWidth(), cur.getHeight());
        int w = Math.max(size, (int) Math.round(cur.getWidth() * s));
        int h = Math.max(size, (int) Math.round(cur.getHeight() * s));
        if (w != cur.getWidth() || h != cur.getHeight()) {
            cur = scale(cur, w, h, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        }
        int x = (cur.getWidth() - size) / 2;
        int y = (cur.getHeight() - size) / 2;
        return cur.getSubimage(x, y, size, size);
    }

    private static BufferedImage scale(BufferedImage src, int w, int h, Object hint) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, hint);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    /** A square image of side {@code size} as (1, 3, size, size) in [0, 1]. */
    public static NDArray toTensor(NDManager manager, BufferedImage img, int size) {
        BufferedImage sq = resizeCenterCrop(img, size);
        float[] v = new float[3 * size * size];
        int plane = size * size;
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = sq.getRGB(x, y);
                int i = y * size + x;
                v[i] = ((rgb >> 16) & 0xff) / 255f;
                v[plane + i] = ((rgb >> 8) & 0xff) / 255f;
                v[2 * plane + i] = (rgb & 0xff) / 255f;
            }
        }
        return manager.create(v, new Shape(1, 3, size, size));
    }

    /** (3, H, W) or (1, 3, H, W) in [0, 1] to an RGB image (values clamped). */
    public static BufferedImage fromTensor(NDArray chw) {
        NDArray t = chw.getShape().dimension() == 4 ? chw.get(0) : chw;
        int h = (int) t.getShape().get(1);
        int w = (int) t.getShape().get(2);
        float[] v = t.toFloatArray();
        int plane = h * w;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int r = clamp(v[i]);
                int g = clamp(v[plane + i]);
                int b = clamp(v[2 * plane + i]);
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    private static int clamp(float f) {
        return Math.max(0, Math.min(255, Math.round(f * 255f)));
    }

    /** A uniform gray image (the reference's placeholder for an image being generated). */
    public static BufferedImage gray(int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new java.awt.Color(128, 128, 128));
        g.fillRect(0, 0, size, size);
        g.dispose();
        return img;
    }
}
