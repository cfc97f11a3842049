package dev.weft.engine.cli;

import dev.weft.engine.config.ConfigException;
import dev.weft.engine.image.ImageException;
import dev.weft.engine.memory.OutOfMemory;
import dev.weft.engine.weights.WeightsException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Optional;

/**
 * {@code weft}: the command-line tool. Every command works offline on the bundled model unless {@code --model}
 * names another folder. Bad input gives one line on stderr naming the problem and exit code 2; a failed or
 * cancelled generation exits 1.
 */
@Command(name = "weft", mixinStandardHelpOptions = true, version = "weft 0.1.0", scope = CommandLine.ScopeType.INHERIT,
        description = "Interleaved text and images with MM-Interleaved, on this machine.",
        subcommands = {InfoCommand.class, TextToImageCommand.class, GenerateCommand.class, SegToImageCommand.class,
                StyleCommand.class, CaptionCommand.class, BenchCommand.class, ConvertCommand.class, CheckCommand.class,
                EvalCommand.class,
                dev.weft.engine.world.WorldCommand.class})
public final class WeftCli implements Runnable {
    public static final int BAD_INPUT = 2;
    public static final int FAILED = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the tool in-process (tests use this) and returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new WeftCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            boolean verbose = parsed.hasMatchedOption("--verbose");
            line.getErr().println("weft: error: " + describe(ex));
            if (verbose) {
                ex.printStackTrace(line.getErr());
            }
            line.getErr().flush();
            return isBadInput(ex) ? BAD_INPUT : FAILED;
        });
        return cl.execute(args);
    }

    static boolean isBadInput(Throwable ex) {
        return ex instanceof WeightsException || ex instanceof ConfigException || ex instanceof ImageException
                || ex instanceof IllegalArgumentException || ex instanceof java.nio.file.NoSuchFileException;
    }

    /** One line: the message of the most telling exception in the chain. */
    static String describe(Throwable ex) {
        if (ex instanceof WeightsException w) {
            return w.oneLine();
        }
        Optional<String> oom = OutOfMemory.explain(ex);
        if (oom.isPresent()) {
            return oom.get();
        }
        Throwable t = ex;
        while (t.getMessage() == null && t.getCause() != null) {
            t = t.getCause();
        }
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return msg.lines().findFirst().orElse(msg);
    }
}
