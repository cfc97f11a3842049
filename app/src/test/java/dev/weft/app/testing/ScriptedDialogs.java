package dev.weft.app.testing;

import dev.weft.app.common.Dialogs;
import dev.weft.app.common.Notification;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/** Dialog answers set by the test; everything shown is recorded. */
public final class ScriptedDialogs implements Dialogs {
    public final List<Notification> shown = new CopyOnWriteArrayList<>();
    public final List<String> asked = new CopyOnWriteArrayList<>();
    public final Deque<SaveChoice> saveChoices = new ArrayDeque<>();
    public final Deque<Boolean> confirmations = new ArrayDeque<>();
    public final Deque<Path> files = new ArrayDeque<>();
    public List<Path> pictures = new ArrayList<>();

    @Override
    public void show(Notification n) {
        shown.add(n);
    }

    @Override
    public SaveChoice askSaveChanges(String documentName) {
        asked.add("save changes to " + documentName);
        return saveChoices.isEmpty() ? SaveChoice.CANCEL : saveChoices.poll();
    }

    @Override
    public boolean confirm(String title, String message, String yes, String no) {
        asked.add(title);
        return !confirmations.isEmpty() && confirmations.poll();
    }

    @Override
    public Optional<Path> chooseProjectToOpen() {
        return Optional.ofNullable(files.poll());
    }

    @Override
    public Optional<Path> chooseProjectToSave(String suggestedName) {
        return Optional.ofNullable(files.poll());
    }

    @Override
    public List<Path> choosePictures() {
        return pictures;
    }

    @Override
    public Optional<Path> chooseExport(String title, String suggestedName, String extension) {
        return Optional.ofNullable(files.poll());
    }

    @Override
    public Optional<Path> chooseFolder(String title) {
        return Optional.ofNullable(files.poll());
    }
}
