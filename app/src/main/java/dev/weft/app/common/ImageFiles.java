package dev.weft.app.common;

import dev.weft.engine.image.Images;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Reading and writing pictures with limits. Decoding goes through ImageIO with TwelveMonkeys' plugins (PNG, JPEG,
 * WebP, TIFF); the size is read from the header first, so an oversized image is refused before any pixel memory is
 * allocated.
 */
public final class ImageFiles {
    /** Longest side accepted. */
    public static final int MAX_SIDE = 16_384;
    /** Most pixels accepted (about 256 MB as RGB ints). */
    public static final long MAX_PIXELS = 64L * 1024 * 1024;

    static {
        ImageIO.scanForPlugins();
    }

    private ImageFiles() { }

    /** An image that cannot be used, with a message for the user. */
    public static final class ImageRejectedException extends RuntimeException {
        public ImageRejectedException(String message) {
            super(message);
        }
    }

    public static BufferedImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ImageRejectedException(file.getFileName() + ": file not found");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return decode(in, file.getFileName().toString());
        } catch (IOException e) {
            throw new ImageRejectedException(file.getFileName() + ": cannot read (" + e.getMessage() + ")");
        }
    }

    public static BufferedImage decode(byte[] bytes, String name) {
        return decode(new ByteArrayInputStream(bytes), name);
    }

    /** Decodes one image, checking its size in the header first; returns opaque RGB. */
    public static BufferedImage decode(InputStream in, String name) {
        try (ImageInputStream iis = ImageIO.createImageInputStream(in)) {
            if (iis == null) {
                throw new ImageRejectedException(name + ": cannot read");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                throw new ImageRejectedException(name + ": not a PNG, JPEG, WebP or TIFF image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                checkSize(name, reader.getWidth(0), reader.getHeight(0));
                BufferedImage img = reader.read(0);
                return Images.toRgb(img);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ImageRejectedException r) {
                throw r;
            }
            throw new ImageRejectedException(name + ": cannot decode image (" + e.getMessage() + ")");
        }
    }

    public static void checkSize(String name, long w, long h) {
        if (w <= 0 || h <= 0) {
            throw new ImageRejectedException(name + ": image has no pixels (" + w + " x " + h + ")");
        }
        if (w > MAX_SIDE || h > MAX_SIDE || w * h > MAX_PIXELS) {
            throw new ImageRejectedException(name + ": image is too large (" + w + " x " + h + " pixels; Weft "
                    + "accepts up to " + MAX_SIDE + " pixels a side and " + (MAX_PIXELS / (1024 * 1024))
                    + " megapixels)");
        }
    }

    public static byte[] encodePng(BufferedImage img) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("no PNG writer");
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** File-name suffixes offered in file choosers and accepted on drop. */
    public static boolean looksLikeImage(Path p) {
        String n = p.getFileName().toString().toLowerCase();
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".webp")
                || n.endsWith(".tif") || n.endsWith(".tiff") || n.endsWith(".bmp") || n.endsWith(".gif");
    }
}
