package dev.weft.engine.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The presets are the single source of truth; the PyTorch reference reads the same JSON from
 * engine/training/configs. Run with -Dweft.writePresets=true to regenerate those files.
 */
class ConfigPresetsTest {
    private static final Path DIR = Path.of("training/configs");

    @Test
    void presetsMatchCommittedJson() throws Exception {
        for (String name : new String[] {"tiny", "weft-small", "mm-interleaved-13b"}) {
            ModelConfig preset = ModelConfig.preset(name);
            Path file = DIR.resolve(name + ".json");
            if (Boolean.getBoolean("weft.writePresets")) {
                preset.write(file);
            }
            assertEquals(preset, ModelConfig.read(file), file + " differs from the preset; regenerate it");
        }
    }

    @Test
    void badFieldIsNamed() throws Exception {
        Path tmp = Files.createTempFile("cfg", ".json");
        String json = Files.readString(DIR.resolve("tiny.json")).replace("\"num_heads\" : 2,", "\"num_heads\" : 3,");
        Files.writeString(tmp, json);
        ConfigException e = assertThrows(ConfigException.class, () -> ModelConfig.read(tmp));
        assertTrue(e.getMessage().contains("hidden_size") && e.getMessage().contains("num_heads"), e.getMessage());
        Files.writeString(tmp, "{ \"name\": ");
        assertThrows(ConfigException.class, () -> ModelConfig.read(tmp));
        Files.delete(tmp);
    }
}
