package dev.weft.engine.pipeline;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Picks the next token from logits. {@link #ARGMAX} is greedy; {@link #nucleus} applies, in HF's order,
 * repetition penalty, minimum-length suppression of end tokens, temperature and top-p.
 */
@FunctionalInterface
public interface TokenSampler {

    /**
     * @param logits next-token logits (V), modified freely
     * @param history every token id in the sequence so far (prompt and generated)
     * @param generated how many tokens this round has generated
     */
    int sample(float[] logits, List<Integer> history, int generated);

    TokenSampler ARGMAX = (logits, history, generated) -> argmax(logits);

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Nucleus sampling with HF's logits processors.
     *
     * @param endTokens tokens suppressed until {@code minNew} tokens were generated ({@code </s>},
     *                  {@code <|beginofimage|>})
     */
    static TokenSampler nucleus(SamplingOptions o, Set<Integer> endTokens, Rng rng) {
        return (logits, history, generated) -> {
            // 1. repetition penalty (HF RepetitionPenaltyLogitsProcessor): every token seen so far, once
            if (o.repetitionPenalty() != 1f) {
                for (int id : history.stream().distinct().toList()) {
                    if (id >= 0 && id < logits.length) {
                        float l = logits[id];
                        logits[id] = l < 0 ? l * o.repetitionPenalty() : l / o.repetitionPenalty();
                    }
                }
            }
            // 2. minimum length: no end token yet
            if (generated < o.minNewTokens()) {
                for (int id : endTokens) {
                    logits[id] = Float.NEGATIVE_INFINITY;
                }
            }
            if (o.temperature() == 0f) {
                return argmax(logits);
            }
            // 3. temperature, softmax
            double max = Double.NEGATIVE_INFINITY;
            for (float l : logits) {
                max = Math.max(max, l);
            }
            double[] p = new double[logits.length];
            double sum = 0;
            for (int i = 0; i < logits.length; i++) {
                p[i] = Math.exp((logits[i] - max) / o.temperature());
                sum += p[i];
            }
            // 4. top-p: keep the smallest set of most likely tokens whose mass reaches topP
            Integer[] order = new Integer[p.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]) != 0 ? Double.compare(p[b], p[a]) : a - b);
            double kept = 0;
            int n = 0;
            while (n < order.length && (n == 0 || kept / sum < o.topP())) {
                kept += p[order[n]];
                n++;
            }
            // 5. draw
            double u = rng.uniform() * kept;
            double acc = 0;
            for (int i = 0; i < n; i++) {
                acc += p[order[i]];
                if (u < acc) {
                    return order[i];
                }
            }
            return order[n - 1];
        };
    }
}
