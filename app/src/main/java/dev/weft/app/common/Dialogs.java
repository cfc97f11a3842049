package dev.weft.app.common;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The questions and messages the Views put to the user. The studio shows JavaFX dialogs ({@link FxDialogs});
 * UI tests script the answers.
 */
public interface Dialogs {
    /** Answers to "save your changes?". */
    enum SaveChoice { SAVE, DISCARD, CANCEL }

    /** Shows a warning or an error (information goes to the status bar instead). */
    void show(Notification n);

    SaveChoice askSaveChanges(String documentName);

    /** A yes/no question; true for {@code yes}. */
    boolean confirm(String title, String message, String yes, String no);

    Optional<Path> chooseProjectToOpen();

    Optional<Path> chooseProjectToSave(String suggestedName);

    List<Path> choosePictures();

    Optional<Path> chooseExport(String title, String suggestedName, String extension);

    /** A folder to write into. */
    Optional<Path> chooseFolder(String title);
}
