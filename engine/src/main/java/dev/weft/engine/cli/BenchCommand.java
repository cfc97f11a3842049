package dev.weft.engine.cli;

import dev.weft.engine.Engine;
import dev.weft.engine.bench.Bench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code weft bench}: speed of each phase of the model on this machine, with the achieved GFLOP/s. */
@Command(name = "bench", description = "Measure ms per LLM token (prefill, decode), per UNet step, per VAE decode, "
        + "seconds per continue step, and achieved GFLOP/s against this machine's fp32 matmul rate.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--prompt-tokens", defaultValue = "32", description = "Default ${DEFAULT-VALUE}.")
    int promptTokens;
    @Option(names = "--decode-tokens", defaultValue = "16", description = "Default ${DEFAULT-VALUE}.")
    int decodeTokens;
    @Option(names = "--steps", defaultValue = "10", description = "UNet steps in the continue step. Default ${DEFAULT-VALUE}.")
    int steps;
    @Option(names = "--repeats", defaultValue = "3", description = "Timed repeats (median). Default ${DEFAULT-VALUE}.")
    int repeats;
    @Option(names = "--no-machine", description = "Skip measuring this machine's matmul rate.")
    boolean noMachine;

    @Mixin
    Common.ModelOptions model = new Common.ModelOptions();

    @Override
    public Integer call() {
        Bench.Options o = new Bench.Options(promptTokens, decodeTokens, steps, repeats, !noMachine);
        try (Engine engine = model.load(System.err)) {
            Bench.run(engine, o, System.out);
        }
        return 0;
    }
}
