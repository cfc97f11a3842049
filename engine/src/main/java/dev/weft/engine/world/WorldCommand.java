package dev.weft.engine.world;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code weft world}: writes training shards of the procedural world. Standalone:
 * {@code java -cp ... dev.weft.engine.world.WorldCommand --seed 1 --count 100000 --out data/world}.
 */
@Command(name = "world", mixinStandardHelpOptions = true,
        description = "Write training shards of the procedural world (pictures, maps, captions, stories).")
public final class WorldCommand implements Callable<Integer> {
    @Option(names = "--seed", defaultValue = "1", description = "Data set seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"-n", "--count"}, required = true, description = "Number of records.")
    long count;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--shard-size", defaultValue = "1000", description = "Records per shard (default ${DEFAULT-VALUE}).")
    int shardSize;

    @Option(names = "--threads", defaultValue = "0", description = "Threads; 0 = all cores (default).")
    int threads;

    @Option(names = "--stories", defaultValue = "0.3", description = "Share of story records (default ${DEFAULT-VALUE}).")
    double stories;

    @Option(names = "--pairs", defaultValue = "0.2",
            description = "Share of same-content style pairs (default ${DEFAULT-VALUE}); the rest are single scenes.")
    double pairs;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        WorldWriter.Options o = new WorldWriter.Options(seed, count, out, shardSize, threads,
                new WorldSample.Mix(stories, pairs), !quiet);
        WorldWriter.Summary s = WorldWriter.write(o);
        System.err.println("weft world: wrote " + out + ": " + s);
        return 0;
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(new CommandLine(new WorldCommand()).execute(args));
    }
}
