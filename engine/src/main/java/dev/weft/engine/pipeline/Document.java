package dev.weft.engine.pipeline;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** An interleaved document: text and images in reading order. Immutable; {@link #append} returns a copy. */
public record Document(List<Item> items) {

    /** One piece of a document. */
    public sealed interface Item permits Text, Image { }

    public record Text(String text) implements Item {
        public Text {
            if (text == null) {
                throw new IllegalArgumentException("text item: expected text, found null");
            }
        }
    }

    public record Image(BufferedImage image) implements Item {
        public Image {
            if (image == null) {
                throw new IllegalArgumentException("image item: expected an image, found null");
            }
        }
    }

    public Document {
        items = List.copyOf(items);
    }

    public static Document of(Item... items) {
        return new Document(List.of(items));
    }

    public Document append(Item item) {
        List<Item> l = new ArrayList<>(items);
        l.add(item);
        return new Document(l);
    }

    public List<BufferedImage> images() {
        List<BufferedImage> l = new ArrayList<>();
        for (Item i : items) {
            if (i instanceof Image im) {
                l.add(im.image());
            }
        }
        return Collections.unmodifiableList(l);
    }

    public boolean isEmpty() {
        return items.stream().allMatch(i -> i instanceof Text t && t.text().isBlank());
    }
}
