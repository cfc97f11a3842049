package dev.weft.app.queue;

/** Where a generation job is. */
public enum JobStatus {
    QUEUED("queued"), RUNNING("running"), SUCCEEDED("done"), FAILED("failed"), CANCELLED("cancelled");

    private final String label;

    JobStatus(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean isFinished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
