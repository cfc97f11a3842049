package dev.weft.app.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.app.project.Recipe;
import org.w3c.dom.Node;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pictures saved on their own carry how they were made, as ComfyUI and A1111 do: PNG text chunks (iTXt, UTF-8)
 * with the recipe as JSON ({@value #RECIPE_KEY}), the prompt or caption ({@code Description}) and
 * {@code Software}. Any PNG reader shows the picture; {@code exiftool} or Weft shows the recipe.
 */
public final class PictureFiles {
    public static final String RECIPE_KEY = "weft:recipe";
    private static final ObjectMapper JSON = new ObjectMapper();

    private PictureFiles() { }

    /** The recipe as one line of JSON (the style reference picture is left out). */
    public static String recipeJson(Recipe r) {
        ObjectNode o = JSON.createObjectNode();
        o.put("mode", r.mode().name().toLowerCase());
        o.put("context", r.context());
        o.put("prompt", r.prompt());
        o.put("seed", r.seed());
        o.put("steps", r.steps());
        o.put("guidance", r.guidance());
        o.put("sampler", r.scheduler());
        o.put("maxTokens", r.maxTokens());
        o.put("model", r.modelId());
        o.put("createdAt", r.createdAt());
        return o.toString();
    }

    /** PNG bytes with text chunks: the recipe (if any), the description (if any), the software. */
    public static byte[] png(BufferedImage img, Recipe recipe, String description) throws IOException {
        Map<String, String> text = new LinkedHashMap<>();
        if (recipe != null) {
            text.put(RECIPE_KEY, recipeJson(recipe));
        }
        if (description != null && !description.isBlank()) {
            text.put("Description", description.strip());
        }
        text.put("Software", "Weft studio");
        ImageWriter w = ImageIO.getImageWritersByFormatName("png").next();
        try {
            ImageWriteParam param = w.getDefaultWriteParam();
            IIOMetadata md = w.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(img), param);
            String format = "javax_imageio_png_1.0";
            IIOMetadataNode root = new IIOMetadataNode(format);
            IIOMetadataNode itxt = new IIOMetadataNode("iTXt");
            for (Map.Entry<String, String> e : text.entrySet()) {
                IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
                entry.setAttribute("keyword", e.getKey());
                entry.setAttribute("compressionFlag", "FALSE");
                entry.setAttribute("compressionMethod", "0");
                entry.setAttribute("languageTag", "");
                entry.setAttribute("translatedKeyword", "");
                entry.setAttribute("text", e.getValue());
                itxt.appendChild(entry);
            }
            root.appendChild(itxt);
            md.mergeTree(format, root);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
                w.setOutput(ios);
                w.write(null, new IIOImage(img, null, md), param);
            }
            return out.toByteArray();
        } finally {
            w.dispose();
        }
    }

    /** The text chunks of a PNG file (keyword to text). */
    public static Map<String, String> text(Path png) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(png.toFile())) {
            ImageReader r = ImageIO.getImageReadersByFormatName("png").next();
            try {
                r.setInput(in);
                IIOMetadata md = r.getImageMetadata(0);
                Node root = md.getAsTree("javax_imageio_png_1.0");
                for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                    for (Node e = n.getFirstChild(); e != null; e = e.getNextSibling()) {
                        if (e instanceof IIOMetadataNode m && m.hasAttribute("keyword")) {
                            String v = m.hasAttribute("text") ? m.getAttribute("text") : m.getAttribute("value");
                            out.put(m.getAttribute("keyword"), v);
                        }
                    }
                }
            } finally {
                r.dispose();
            }
        }
        return out;
    }
}
