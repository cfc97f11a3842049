package dev.weft.engine.llm;

import dev.weft.engine.config.LlmConfig;
import dev.weft.engine.config.VisionConfig;
import dev.weft.engine.nn.Params;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The published sizes in SHAPES mode (nothing allocated): Vicuna-13B with 10 MMFS blocks, and the text head. */
class LlmShapesTest {

    @Test
    void vicuna13bWithMmfsHasThePublishedShapes() {
        Params params = Params.shapesOnly();
        LlmConfig cfg = LlmConfig.vicuna13b();
        MmDecoder decoder = new MmDecoder(params.root().pp("mm_decoder"), cfg, VisionConfig.clipVitL14());
        long decoderCount = params.parameterCount();
        new TextHead(params.root().pp("text_decoder"), cfg);
        long total = params.parameterCount();
        Map<String, long[]> s = params.shapes();
        long mmfs = s.entrySet().stream().filter(e -> e.getKey().contains("llama_cross_attn"))
                .mapToLong(e -> java.util.Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b)).sum();
        System.out.printf("mm_decoder (Vicuna-13B + MMFS): %,d parameters (LLaMA %,d + MMFS %,d in 10 blocks); "
                + "+ text_decoder: %,d; %d tensors%n", decoderCount, decoderCount - mmfs, mmfs, total, s.size());
        // LLaMA-13B body: V*D + 40*(4 D^2 + 3 D F + 2 D) + D with V 32002, D 5120, F 13824
        assertEquals(12_852_034_560L, decoderCount - mmfs);
        assertEquals(363_035_370L, mmfs);
        assertEquals(13_378_962_414L, total);
        assertArrayEquals(new int[] {32, 16, 8}, decoder.spatialShapes());
        assertArrayEquals(new long[] {32002, 5120}, s.get("mm_decoder.embed_tokens.weight"));
        assertArrayEquals(new long[] {16 * 3 * 9, 5120},
                s.get("mm_decoder.layers.36.llama_cross_attn.attn.attention_weights.weight"));
        assertArrayEquals(new long[] {16 * 8 * 2, 5120},
                s.get("mm_decoder.layers.0.llama_cross_attn.attn.sampling_offsets.weight"));
        assertArrayEquals(new long[] {50, 5120}, s.get("mm_decoder.layers.4.llama_cross_attn.attn.query_relpos.weight"));
        assertArrayEquals(new long[] {1024, 1024}, s.get("mm_decoder.layers.4.llama_cross_attn.attn.value_proj.weight"));
        assertArrayEquals(new long[] {1, 1, 1, 1024}, s.get("mm_decoder.layers.8.llama_cross_attn.attn.ignore_token"));
        assertArrayEquals(new long[] {1024}, s.get("mm_decoder.layers.8.llama_cross_attn.norm2.weight"));
        assertArrayEquals(new long[] {1}, s.get("mm_decoder.layers.8.llama_cross_attn.gate"));
        assertArrayEquals(new long[] {2, 5120}, s.get("text_decoder.head_new.weight"));
        assertArrayEquals(new long[] {32002}, s.get("text_decoder.head.bias"));
        assertFalse(s.keySet().stream().anyMatch(k -> k.startsWith("mm_decoder.layers.1.llama_cross_attn")));
        assertEquals(10, s.keySet().stream().filter(k -> k.endsWith("llama_cross_attn.gate")).count());
    }
}
