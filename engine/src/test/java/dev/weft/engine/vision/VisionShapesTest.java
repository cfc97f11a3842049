package dev.weft.engine.vision;

import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.nn.Params;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The published encoder (CLIP ViT-L/14 at 224 + ViT-Adapter) built in SHAPES mode: nothing is allocated, the
 * parameter count and a few names and shapes are checked. Expected counts come from weft_ref.vision at the
 * mm-interleaved-13b config: CLIP ViT-L/14 vision without post_layernorm 303,177,728 (transformers' 303,179,776
 * minus the 2,048 of post_layernorm, which the reference replaces by nn.Identity), adapter 23,228,608.
 */
class VisionShapesTest {

    @Test
    void publishedEncoderParameterCount() {
        Params params = Params.shapesOnly();
        new ClipVisionAdapter(params.root().pp(ViTParityTest.PREFIX), VisionConfig.clipVitL14());
        Map<String, long[]> shapes = params.shapes();
        long vit = 0;
        long adapter = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            long n = Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
            if (e.getKey().startsWith(ViTParityTest.PREFIX + ".adapter_")) {
                adapter += n;
            } else {
                vit += n;
            }
        }
        System.out.printf("vision encoder (SHAPES): %d tensors, %,d parameters (ViT %,d, adapter %,d)%n",
                shapes.size(), params.parameterCount(), vit, adapter);
        assertEquals(590, shapes.size());
        assertEquals(303_177_728L, vit);
        assertEquals(23_228_608L, adapter);
        assertEquals(326_406_336L, params.parameterCount());
        String p = ViTParityTest.PREFIX + ".";
        assertArrayEquals(new long[] {257, 1024}, shapes.get(p + "embeddings.position_embedding.weight"));
        assertArrayEquals(new long[] {1024, 3, 14, 14}, shapes.get(p + "embeddings.patch_embedding.weight"));
        assertArrayEquals(new long[] {1024, 1024, 2, 2}, shapes.get(p + "adapter_up.weight"));
        assertArrayEquals(new long[] {16 * 3 * 4 * 2, 1024},
                shapes.get(p + "adapter_interactions.0.injector.attn.sampling_offsets.weight"));
        assertArrayEquals(new long[] {512, 1024},
                shapes.get(p + "adapter_interactions.3.extra_extractors.1.attn.value_proj.weight"));
        assertArrayEquals(new long[] {256, 1, 3, 3},
                shapes.get(p + "adapter_interactions.2.extractor.ffn.dwconv.dwconv.weight"));
        assertTrue(shapes.containsKey(p + "encoder.layers.23.mlp.fc2.bias"));
        assertTrue(shapes.keySet().stream().noneMatch(k -> k.contains("post_layernorm")));
        assertTrue(shapes.keySet().stream().noneMatch(k -> k.contains("adapter_interactions.2.extra_extractors")));
    }
}
