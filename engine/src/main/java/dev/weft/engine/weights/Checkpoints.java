package dev.weft.engine.weights;

import dev.weft.engine.weights.torch.TorchArchive;
import dev.weft.engine.weights.torch.TorchWeights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Opens weights in either format Weft reads: safetensors (a file, or a folder with {@code model.safetensors},
 * {@code model.safetensors.index.json} or any {@code *.safetensors}) or PyTorch's {@code torch.save} zip format (a
 * file, or a folder with {@code pytorch_model.bin.index.json} or any {@code *.bin}). A folder with both prefers
 * safetensors. A single file is recognised by its first bytes, whatever its name.
 */
public final class Checkpoints {
    private Checkpoints() { }

    public static WeightSource open(Path location) {
        if (Files.isRegularFile(location)) {
            return TorchArchive.looksLikeTorch(location) ? TorchWeights.open(location) : SafetensorsWeights.open(location);
        }
        if (!Files.isDirectory(location)) {
            throw new WeightsException(location + ": weights not found (no such file or folder)");
        }
        Path single = location.resolve("model.safetensors");
        if (Files.isRegularFile(single)) {
            return SafetensorsWeights.open(single);
        }
        if (hasSafetensors(location)) {
            return SafetensorsWeights.open(location);
        }
        if (TorchWeights.isTorchFolder(location)) {
            return TorchWeights.open(location);
        }
        throw new WeightsException(location + ": no .safetensors or pytorch_model*.bin weights in this folder");
    }

    private static boolean hasSafetensors(Path dir) {
        if (Files.isRegularFile(dir.resolve("model.safetensors.index.json"))) {
            return true;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".safetensors"));
        } catch (IOException e) {
            return false;
        }
    }
}
