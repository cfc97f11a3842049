package dev.weft.engine.memory;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line for a user whose run ran out of memory, from the exception libtorch or the JVM threw: CUDA's
 * "CUDA out of memory. Tried to allocate X. GPU 0 has a total capacity of Z of which Y is free. ..." (a paragraph
 * about PyTorch's allocator settings), libtorch's CPU "DefaultCPUAllocator: can't allocate memory: you tried to
 * allocate N bytes", or Java's {@link OutOfMemoryError}. Says what ran out, by how much where the message tells,
 * and what to do; the memory plan ({@code weft info}) estimates a document's needs before a run.
 */
public final class OutOfMemory {
    private static final Pattern CUDA_ASK = Pattern.compile("Tried to allocate ([0-9.]+ [KMGT]?i?B)");
    private static final Pattern CUDA_FREE = Pattern.compile("total capacity of ([0-9.]+ [KMGT]?i?B) of which "
            + "([0-9.]+ [KMGT]?i?B) is free");
    private static final Pattern CPU_ASK = Pattern.compile("can't allocate memory: you tried to allocate (\\d+) bytes");

    private OutOfMemory() { }

    /** The line for the first out-of-memory failure in the cause chain of {@code ex}, or empty when there is none. */
    public static Optional<String> explain(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage();
            if (m.contains("CUDA out of memory")) {
                Matcher ask = CUDA_ASK.matcher(m);
                Matcher free = CUDA_FREE.matcher(m);
                String detail = (ask.find() ? "it could not allocate " + ask.group(1) : "an allocation failed")
                        + (free.find() ? ", " + free.group(2) + " of " + free.group(1) + " free" : "");
                return Optional.of("the GPU ran out of memory (" + detail + "): a shorter document or fewer pictures "
                        + "need less, and other programs on the GPU take their share; `weft info --device gpu --tokens "
                        + "N --images K` estimates what a document needs");
            }
            if (m.contains("DefaultCPUAllocator") && m.contains("allocate memory")) {
                Matcher ask = CPU_ASK.matcher(m);
                String detail = ask.find() ? "libtorch could not allocate "
                        + MemoryPlan.human(Long.parseLong(ask.group(1))) : "libtorch could not allocate memory";
                return Optional.of("this computer ran out of memory (" + detail + "): close other programs, or use a "
                        + "shorter document or a smaller model; `weft info --tokens N --images K` estimates what a "
                        + "document needs");
            }
            if (t instanceof OutOfMemoryError) {
                return Optional.of(String.format(Locale.ROOT, "Java ran out of memory (%s): raise its limit "
                        + "(WEFT_JAVA_OPTS=-Xmx12g for ./weft and ./studio) or use a smaller model", m.isEmpty()
                        ? t.getClass().getSimpleName() : m));
            }
        }
        return Optional.empty();
    }
}
