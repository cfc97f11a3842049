package dev.weft.engine.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Weights from one safetensors file, or from a folder of shards (through {@code model.safetensors.index.json}
 * when present, else every {@code *.safetensors} file in the folder).
 */
public final class SafetensorsWeights implements WeightSource {
    private final String description;
    private final List<SafetensorsFile> files = new ArrayList<>();
    private final Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
    private final Map<String, TensorInfo> infos = new LinkedHashMap<>();

    private SafetensorsWeights(Path location) {
        this.description = location.toString();
        try {
            for (Path p : shardsOf(location)) {
                SafetensorsFile f = SafetensorsFile.open(p);
                files.add(f);
                for (TensorInfo t : f.tensors().values()) {
                    SafetensorsFile prev = owner.put(t.name(), f);
                    if (prev != null) {
                        throw new WeightsException(location + ": tensor '" + t.name() + "' appears in both "
                                + prev.path().getFileName() + " and " + p.getFileName());
                    }
                    infos.put(t.name(), t);
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public static SafetensorsWeights open(Path location) {
        return new SafetensorsWeights(location);
    }

    private static List<Path> shardsOf(Path location) {
        if (Files.isRegularFile(location)) {
            return List.of(location);
        }
        if (!Files.isDirectory(location)) {
            throw new WeightsException(location + ": weights not found (no such file or folder)");
        }
        Path index = location.resolve("model.safetensors.index.json");
        try {
            if (Files.isRegularFile(index)) {
                JsonNode map = new ObjectMapper().readTree(index.toFile()).path("weight_map");
                if (!map.isObject()) {
                    throw new WeightsException(index + ": expected a 'weight_map' object");
                }
                List<Path> shards = new ArrayList<>();
                map.fields().forEachRemaining(e -> {
                    Path p = location.resolve(e.getValue().asText());
                    if (!shards.contains(p)) {
                        shards.add(p);
                    }
                });
                return shards;
            }
            try (Stream<Path> s = Files.list(location)) {
                List<Path> shards = new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(".safetensors"))
                        .sorted().toList());
                if (shards.isEmpty()) {
                    throw new WeightsException(location + ": no .safetensors files in this folder");
                }
                return shards;
            }
        } catch (IOException e) {
            throw new WeightsException(location + ": cannot list weights (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public Map<String, TensorInfo> tensors() {
        return Collections.unmodifiableMap(infos);
    }

    @Override
    public ByteBuffer float32(String name) {
        return file(name).float32(name);
    }

    @Override
    public ByteBuffer float16(String name) {
        return file(name).float16(name);
    }

    /** The shard that holds {@code name}. */
    private SafetensorsFile file(String name) {
        SafetensorsFile f = owner.get(name);
        if (f == null) {
            throw new WeightsException(description + ": no tensor named '" + name + "'");
        }
        return f;
    }

    @Override
    public RawTensor rawTensor(String name) {
        return file(name).rawTensor(name);
    }

    /** The file holding a tensor, or null. */
    public java.nio.file.Path fileOf(String name) {
        SafetensorsFile f = owner.get(name);
        return f == null ? null : f.path();
    }

    /** How many files were read. */
    public int fileCount() {
        return files.size();
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
