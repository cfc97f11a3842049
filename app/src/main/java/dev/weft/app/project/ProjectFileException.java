package dev.weft.app.project;

/** A project file that cannot be opened or written, with a message for the user (the file is left untouched). */
public final class ProjectFileException extends Exception {
    public ProjectFileException(String message) {
        super(message);
    }

    public ProjectFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
