package dev.weft.engine.weights;

/** A weights file or directory that cannot be used: the message names the file and the problem. */
public class WeightsException extends RuntimeException {
    private final transient LoadReport report;

    public WeightsException(String message) {
        super(message);
        this.report = null;
    }

    /** A model/weights mismatch; the message lists every problem, {@link #oneLine()} summarises. */
    public WeightsException(LoadReport report) {
        super(report.describe());
        this.report = report;
    }

    /** The load report behind this error, or null for file-level problems. */
    public LoadReport report() {
        return report;
    }

    /** One line for a terminal: the summary and the first problem. */
    public String oneLine() {
        if (report == null) {
            return getMessage();
        }
        String first = getMessage().lines().findFirst().orElse("");
        return first + "; first: " + report.firstProblem();
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
        this.report = null;
    }
}
