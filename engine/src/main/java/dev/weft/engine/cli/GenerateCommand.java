package dev.weft.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.weft.engine.Engine;
import dev.weft.engine.image.Images;
import dev.weft.engine.pipeline.Document;
import dev.weft.engine.pipeline.DocumentJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code weft generate}: continues a document given as JSON and writes the whole result: {@code document.json}
 * (the input's format), the images as PNG, and {@code story.md} to read.
 */
@Command(name = "generate", description = "Continue an interleaved document (JSON) with text and images.")
final class GenerateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DOC.json",
            description = "{\"items\": [{\"text\": \"...\"}, {\"image\": \"file.png\"}, ...]}, paths relative to the file.")
    Path doc;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--images", defaultValue = "1", description = "Images to generate at most. Default ${DEFAULT-VALUE}.")
    int images;

    @Mixin
    Common.ModelOptions model = new Common.ModelOptions();

    @Mixin
    Common.Sampling sampling = new Common.Sampling();

    @Override
    public Integer call() throws Exception {
        Document input = DocumentJson.read(doc);
        Engine.Continuation c;
        try (Engine engine = model.load(System.err); var l = new Common.ConsoleListener(System.out)) {
            var opts = sampling.options(engine.generationDefaults(), images);
            c = engine.continueDocument(input, opts, l, Common.cancelOnCtrlC());
        }
        System.out.println();
        List<Document.Item> all = new ArrayList<>(input.items());
        all.addAll(c.items());
        write(all, input.items().size());
        System.err.println("weft: " + c.items().size() + " new item(s), stopped: " + c.stoppedBecause()
                + "; wrote " + out.resolve("document.json") + " and " + out.resolve("story.md"));
        return 0;
    }

    private void write(List<Document.Item> items, int firstNew) throws Exception {
        Files.createDirectories(out);
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = om.createObjectNode();
        ArrayNode arr = root.putArray("items");
        StringBuilder md = new StringBuilder();
        int n = 0;
        for (int i = 0; i < items.size(); i++) {
            Document.Item it = items.get(i);
            String mark = i >= firstNew ? " (generated)" : "";
            if (it instanceof Document.Text t) {
                arr.addObject().put("text", t.text());
                md.append(t.text()).append(i >= firstNew ? " *(generated)*" : "").append("\n\n");
            } else if (it instanceof Document.Image im) {
                String name = String.format("image-%02d.png", ++n);
                Images.writePng(im.image(), out.resolve(name));
                arr.addObject().put("image", name);
                md.append("![image ").append(n).append(mark).append("](").append(name).append(")\n\n");
            }
        }
        Path tmp = out.resolve("document.json.part");
        om.writeValue(tmp.toFile(), root);
        Files.move(tmp, out.resolve("document.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(out.resolve("story.md"), md.toString());
    }
}
