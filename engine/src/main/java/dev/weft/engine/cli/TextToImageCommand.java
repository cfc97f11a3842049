package dev.weft.engine.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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
        Common.paintToPng(model, sampling, out, (e, o, l, c) -> e.textToImage(prompt, o, l, c));
        return 0;
    }
}
