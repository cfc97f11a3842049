package dev.weft.engine.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

    /**
     * The next model's candidates (docs/training.md, "Next model"): no presets, but valid configs that are weft-small
     * except for a 3-level UNet with 2 layers per block (and, for -p8, 8 px vision patches) and the VAE scale, which
     * their own VAE stage measures.
     */
    @Test
    void nextModelCandidatesAreWeftSmallWithABiggerUNet() {
        ModelConfig ws = ModelConfig.weftSmall();
        UNetConfig unet = new UNetConfig(8, 8, List.of(64, 128, 256), 2, List.of(4, 8, 16), 128, 16, 1e-5, 16, true,
                ws.unet().mmfs());
        VisionConfig p16 = ws.vision();
        VisionConfig p8 = new VisionConfig(p16.imageSize(), 8, p16.hiddenSize(), p16.numLayers(), p16.numHeads(),
                p16.intermediateSize(), p16.layerNormEps(), p16.convInplane(), p16.adapterPoints(), p16.deformRatio(),
                p16.cffnRatio(), p16.interactions());
        for (String name : new String[] {"weft-small-v2", "weft-small-v2-p8"}) {
            ModelConfig file = ModelConfig.read(DIR.resolve(name + ".json"));
            VaeConfig v = ws.vae();
            VaeConfig vae = new VaeConfig(v.inChannels(), v.latentChannels(), v.blockOutChannels(), v.layersPerBlock(),
                    v.normNumGroups(), file.vae().scalingFactor());
            ModelConfig expected = new ModelConfig(name, name.endsWith("-p8") ? p8 : p16, ws.visualResampler(),
                    ws.llm(), ws.contextResampler(), unet, vae, ws.scheduler(), ws.tokens(), ws.decoderImageSize());
            assertEquals(expected, file, name);
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
