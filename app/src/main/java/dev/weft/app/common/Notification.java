package dev.weft.app.common;

/**
 * Something the user should read: a ViewModel publishes it, the View shows it (a dialog for warnings and errors,
 * the status bar for information). ViewModels never create dialogs themselves.
 */
public record Notification(Level level, String title, String message) {
    public enum Level { INFO, WARNING, ERROR }

    public static Notification info(String title, String message) {
        return new Notification(Level.INFO, title, message);
    }

    public static Notification warning(String title, String message) {
        return new Notification(Level.WARNING, title, message);
    }

    public static Notification error(String title, String message) {
        return new Notification(Level.ERROR, title, message);
    }
}
