package dev.weft.engine.weights.torch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.weft.engine.weights.RawTensor;
import dev.weft.engine.weights.TensorInfo;
import dev.weft.engine.weights.WeightSource;
import dev.weft.engine.weights.WeightsException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Weights from PyTorch checkpoints written by {@code torch.save}: one file, or a folder of shards, found through
 * {@code pytorch_model.bin.index.json} when present (every tensor it lists must be in the shard it names), else
 * every {@code pytorch_model*.bin} in the folder, or every {@code *.bin} when none is so named (MM-Interleaved's
 * {@code load_model_weights} reads every {@code *.bin}). Read through
 * {@link TorchArchive}: a restricted unpickler, storages memory-mapped, values converted to fp32 per tensor on demand.
 */
public final class TorchWeights implements WeightSource {
    /** The index file Hugging Face writes next to sharded {@code .bin} checkpoints. */
    public static final String INDEX = "pytorch_model.bin.index.json";

    private final String description;
    private final List<TorchArchive> archives = new ArrayList<>();
    private final Map<String, TorchArchive> owner = new LinkedHashMap<>();
    private final Map<String, TensorInfo> infos = new LinkedHashMap<>();

    private TorchWeights(Path location) {
        this.description = location.toString();
        try {
            Map<String, String> index = new LinkedHashMap<>();
            for (Path p : shardsOf(location, index)) {
                TorchArchive a = TorchArchive.open(p);
                archives.add(a);
                for (TensorInfo t : a.tensors().values()) {
                    TorchArchive prev = owner.put(t.name(), a);
                    if (prev != null) {
                        throw new WeightsException(location + ": tensor '" + t.name() + "' appears in both "
                                + prev.path().getFileName() + " and " + p.getFileName());
                    }
                    infos.put(t.name(), t);
                }
            }
            for (Map.Entry<String, String> e : index.entrySet()) {
                TorchArchive a = owner.get(e.getKey());
                if (a == null || !a.path().getFileName().toString().equals(e.getValue())) {
                    throw new WeightsException(location.resolve(INDEX) + ": lists '" + e.getKey() + "' in "
                            + e.getValue() + (a == null ? " but no shard holds it"
                            : " but it is in " + a.path().getFileName()));
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Opens a checkpoint file or a folder of shards. */
    public static TorchWeights open(Path location) {
        return new TorchWeights(location);
    }

    /** True when the folder holds a PyTorch checkpoint (the index or any {@code *.bin}). */
    public static boolean isTorchFolder(Path dir) {
        if (Files.isRegularFile(dir.resolve(INDEX))) {
            return true;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().endsWith(".bin") && Files.isRegularFile(p));
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Path> shardsOf(Path location, Map<String, String> index) {
        if (Files.isRegularFile(location)) {
            return List.of(location);
        }
        if (!Files.isDirectory(location)) {
            throw new WeightsException(location + ": weights not found (no such file or folder)");
        }
        Path idx = location.resolve(INDEX);
        try {
            if (Files.isRegularFile(idx)) {
                JsonNode map;
                try {
                    map = new ObjectMapper().readTree(idx.toFile()).path("weight_map");
                } catch (IOException e) {
                    throw new WeightsException(idx + ": corrupt index (not JSON: "
                            + e.getMessage().lines().findFirst().orElse("") + ")");
                }
                if (!map.isObject() || map.isEmpty()) {
                    throw new WeightsException(idx + ": expected a non-empty 'weight_map' object");
                }
                List<Path> shards = new ArrayList<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String file = e.getValue().asText();
                    Path p = location.resolve(file);
                    if (!p.normalize().getParent().equals(location.normalize()) || file.isEmpty()) {
                        throw new WeightsException(idx + ": shard name '" + file + "' is not a file in this folder");
                    }
                    index.put(e.getKey(), p.getFileName().toString());
                    if (!shards.contains(p)) {
                        if (!Files.isRegularFile(p)) {
                            throw new WeightsException(p + ": shard listed in " + INDEX + " not found");
                        }
                        shards.add(p);
                    }
                }
                return shards;
            }
            try (Stream<Path> s = Files.list(location)) {
                List<Path> bins = s.filter(p -> p.getFileName().toString().endsWith(".bin"))
                        .filter(Files::isRegularFile).sorted().toList();
                // Hugging Face folders may also hold training_args.bin (a pickled object, which would be refused)
                List<Path> models = bins.stream().filter(p -> p.getFileName().toString().startsWith("pytorch_model"))
                        .toList();
                if (bins.isEmpty()) {
                    throw new WeightsException(location + ": no " + INDEX + " and no .bin files in this folder");
                }
                return models.isEmpty() ? bins : models;
            }
        } catch (IOException e) {
            throw new WeightsException(location + ": cannot list weights (" + e.getMessage() + ")", e);
        }
    }

    /** The archives read, in order. */
    public List<TorchArchive> archives() {
        return Collections.unmodifiableList(archives);
    }

    @Override
    public Map<String, TensorInfo> tensors() {
        return Collections.unmodifiableMap(infos);
    }

    @Override
    public ByteBuffer float32(String name) {
        TorchArchive a = owner.get(name);
        if (a == null) {
            throw new WeightsException(description + ": no tensor named '" + name + "'");
        }
        return a.float32(name);
    }

    @Override
    public RawTensor rawTensor(String name) {
        TorchArchive a = owner.get(name);
        if (a == null) {
            throw new WeightsException(description + ": no tensor named '" + name + "'");
        }
        return a.rawTensor(name);
    }

    /** The shard holding a tensor, or null. */
    public Path fileOf(String name) {
        TorchArchive a = owner.get(name);
        return a == null ? null : a.path();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        archives.forEach(TorchArchive::close);
    }
}
