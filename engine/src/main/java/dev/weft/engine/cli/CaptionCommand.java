package dev.weft.engine.cli;

import dev.weft.engine.Engine;
import dev.weft.engine.image.Images;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code weft caption}: image to text, printed on stdout. */
@Command(name = "caption", description = "Describe an image in words.")
final class CaptionCommand implements Callable<Integer> {
    @Parameters(paramLabel = "IMAGE", description = "PNG, JPEG, WebP or TIFF.")
    Path image;

    @Mixin
    Common.ModelOptions model = new Common.ModelOptions();

    @Mixin
    Common.Sampling sampling = new Common.Sampling();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        BufferedImage img = Images.read(image);
        try (Engine engine = model.load(System.err)) {
            String text = engine.caption(img, sampling.options(engine.generationDefaults(), 0), dev.weft.engine.pipeline.GenerationListener.NONE,
                    Common.cancelOnCtrlC());
            spec.commandLine().getOut().println(text);
            spec.commandLine().getOut().flush();
        }
        return 0;
    }
}
