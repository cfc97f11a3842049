package dev.weft.engine.cli;

import dev.weft.engine.image.Images;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code weft seg2img}: a colour-coded segmentation map (and an optional caption) to an image. */
@Command(name = "seg2img", description = "Paint an image from a colour-coded segmentation map.")
final class SegToImageCommand implements Callable<Integer> {
    @Option(names = "--map", required = true, paramLabel = "MAP.png", description = "The segmentation map.")
    Path map;

    @Option(names = {"-c", "--caption"}, defaultValue = "", description = "Optional caption.")
    String caption;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.png")
    Path out;

    @Mixin
    Common.ModelOptions model = new Common.ModelOptions();

    @Mixin
    Common.Sampling sampling = new Common.Sampling();

    @Override
    public Integer call() throws Exception {
        BufferedImage m = Images.read(map);
        Common.paintToPng(model, sampling, out, (e, o, l, c) -> e.segmentToImage(m, caption, o, l, c));
        return 0;
    }
}
