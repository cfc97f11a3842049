package dev.weft.engine.pipeline;

/**
 * Cooperative cancellation: the engine checks it between tokens and between denoising steps (a native call in
 * flight is never interrupted).
 */
public final class CancellationToken {
    public static final CancellationToken NEVER = new CancellationToken();

    private volatile boolean cancelled;

    public void cancel() {
        if (this == NEVER) {
            throw new IllegalStateException("CancellationToken.NEVER cannot be cancelled");
        }
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Throws {@link CancelledException} if cancellation was requested. */
    public void check() {
        if (cancelled) {
            throw new CancelledException();
        }
    }

    /** Thrown out of a generation that was cancelled. */
    public static final class CancelledException extends RuntimeException {
        public CancelledException() {
            super("generation cancelled");
        }
    }
}
