package dev.weft.engine.cli;

import dev.weft.engine.image.Images;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code weft style}: paint text in the style of a reference image. */
@Command(name = "style", description = "Paint an image of the text in the style of a reference image.")
final class StyleCommand implements Callable<Integer> {
    @Option(names = {"-r", "--reference"}, required = true, paramLabel = "REF.png", description = "The style reference.")
    Path reference;

    @Option(names = {"-t", "--text"}, required = true, description = "What to paint.")
    String text;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.png")
    Path out;

    @Mixin
    Common.ModelOptions model = new Common.ModelOptions();

    @Mixin
    Common.Sampling sampling = new Common.Sampling();

    @Override
    public Integer call() throws Exception {
        BufferedImage ref = Images.read(reference);
        Common.paintToPng(model, sampling, out, (e, o, l, c) -> e.styleToImage(ref, text, o, l, c));
        return 0;
    }
}
