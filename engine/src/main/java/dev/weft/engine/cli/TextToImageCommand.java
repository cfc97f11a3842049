package dev.weft.engine.cli;

import dev.weft.engine.Engine;
import dev.weft.engine.image.Images;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code weft t2i}: text to image. */
@Command(name = "t2i", description = "Paint an image from a text prompt.")
final class TextToImageCommand implements Callable<Integer> {
    @Option(names = {"-p", "--prompt"}, required = true, description = "What to paint.")
    String prompt;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.png", description = "Where to write the PNG.")
    Path out;

    @Mixin
    Common.ModelOptions model = new Common.ModelOptions();

    @Mixin
    Common.Sampling sampling = new Common.Sampling();

    @Override
    public Integer call() throws Exception {
        try (Engine engine = model.load(System.err); var l = new Common.ConsoleListener(null)) {
            var opts = sampling.options(engine.generationDefaults(), 1);
            BufferedImage img = engine.textToImage(prompt, opts, l, Common.cancelOnCtrlC());
            Images.writePng(img, out);
            System.err.println("weft: wrote " + out + " (" + img.getWidth() + "x" + img.getHeight() + ")");
        }
        return 0;
    }
}
