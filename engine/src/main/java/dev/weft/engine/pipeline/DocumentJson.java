package dev.weft.engine.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.engine.image.Images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Reads a document for the CLI:
 * <pre>{"items": [{"text": "A red circle on grass."}, {"image": "frame1.png"}, {"text": "It moves left."}]}</pre>
 * Image paths are relative to the JSON file. Every error names the file and the item.
 */
public final class DocumentJson {
    private DocumentJson() { }

    public static Document read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": document file not found");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not valid JSON (" + firstLine(e.getMessage()) + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(file + ": expected a JSON object with an \"items\" array");
        }
        JsonNode items = root.path("items");
        if (!items.isArray()) {
            throw new IllegalArgumentException(file + ": expected an \"items\" array, found "
                    + (items.isMissingNode() ? "none" : items.getNodeType().toString().toLowerCase()));
        }
        Path base = file.toAbsolutePath().getParent();
        List<Document.Item> out = new ArrayList<>();
        int i = 0;
        for (JsonNode item : items) {
            String where = file + ": items[" + i + "]";
            if (item.has("text") && item.path("text").isTextual() && item.size() == 1) {
                out.add(new Document.Text(item.get("text").asText()));
            } else if (item.has("image") && item.path("image").isTextual() && item.size() == 1) {
                out.add(new Document.Image(Images.read(base.resolve(item.get("image").asText()))));
            } else {
                List<String> keys = new ArrayList<>();
                for (Iterator<String> it = item.fieldNames(); it.hasNext(); ) {
                    keys.add(it.next());
                }
                throw new IllegalArgumentException(where + ": expected {\"text\": \"...\"} or {\"image\": \"file.png\"}, found "
                        + (item.isObject() ? "keys " + keys : item.getNodeType().toString().toLowerCase()));
            }
            i++;
        }
        Document d = new Document(out);
        if (d.isEmpty()) {
            throw new IllegalArgumentException(file + ": empty document (no text and no images to continue from)");
        }
        return d;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
