package dev.weft.app.project;

import dev.weft.app.common.Notification;
import dev.weft.app.common.Notifier;
import dev.weft.app.common.UiThread;
import dev.weft.app.history.UndoManager;
import dev.weft.app.storyboard.StoryboardViewModel;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.nio.file.Path;
import java.text.DateFormat;
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Project files: new, open, save, save as, recent files, autosave and crash recovery, and the window title with
 * its unsaved-changes marker. Reading and writing run on the I/O executor (one thread, so saves stay in order); the
 * storyboard is snapshotted on the UI thread first. Problems become notifications and never touch the user's
 * files. The View asks the questions (save before closing? restore?) and calls back here.
 */
public final class ProjectViewModel {
    public static final String APP = "Weft";

    private final StoryboardViewModel story;
    private final UndoManager undo;
    private final Notifier notifier;
    private final StudioSettings settings;
    private final Recovery recovery;
    private final Executor io;
    private final UiThread ui;

    private final ReadOnlyObjectWrapper<Path> file = new ReadOnlyObjectWrapper<>(this, "file");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final ReadOnlyObjectWrapper<Recovery.Found> recoveryOffer = new ReadOnlyObjectWrapper<>(this,
            "recoveryOffer");
    private final ObservableList<Path> recent = FXCollections.observableArrayList();
    /** One read-only view, kept: a fresh one per call would drop its listeners when it is collected. */
    private final ObservableList<Path> readOnlyRecent = FXCollections.unmodifiableObservableList(recent);
    private final StringBinding title;
    private long autosavedRevision = -1;

    public ProjectViewModel(StoryboardViewModel story, UndoManager undo, Notifier notifier, StudioSettings settings,
                            Recovery recovery, Executor io, UiThread ui) {
        this.story = story;
        this.undo = undo;
        this.notifier = notifier;
        this.settings = settings;
        this.recovery = recovery;
        this.io = io;
        this.ui = ui;
        recent.setAll(settings.recent());
        title = Bindings.createStringBinding(() -> APP + " — " + displayName() + (undo.hasChanged() ? " •" : ""),
                file, undo.changedProperty());
    }

    /** The window title: "Weft — story.weft •" (the dot: unsaved changes). */
    public StringBinding titleBinding() {
        return title;
    }

    public String displayName() {
        return file.get() == null ? "Untitled" : file.get().getFileName().toString();
    }

    public ReadOnlyObjectProperty<Path> fileProperty() {
        return file.getReadOnlyProperty();
    }

    public Path getFile() {
        return file.get();
    }

    public ReadOnlyBooleanProperty dirtyProperty() {
        return undo.changedProperty();
    }

    public boolean isDirty() {
        return undo.hasChanged();
    }

    /** True while a file is being read or written. */
    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    public ObservableList<Path> recent() {
        return readOnlyRecent;
    }

    /** An empty storyboard (the View has asked about unsaved changes). */
    public void newProject() {
        story.load(Project.empty());
        file.set(null);
        recovery.clear();
    }

    /**
     * Opens a project. On success the storyboard is replaced; on any problem a notification explains it and the
     * current storyboard stays as it is. The returned future completes on the UI thread with the outcome.
     */
    public CompletableFuture<Boolean> open(Path path) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        busy.set(true);
        io.execute(() -> {
            Project p;
            try {
                p = ProjectFile.read(path);
            } catch (ProjectFileException e) {
                ui.post(() -> {
                    busy.set(false);
                    notifier.publish(Notification.error("Cannot open " + path.getFileName(), e.getMessage()));
                    done.complete(false);
                });
                return;
            } catch (RuntimeException e) {
                ui.post(() -> {
                    busy.set(false);
                    notifier.publish(Notification.error("Cannot open " + path.getFileName(),
                            path.getFileName() + " could not be read (" + e + ")."));
                    done.complete(false);
                });
                return;
            }
            ui.post(() -> {
                busy.set(false);
                story.load(p);
                file.set(path.toAbsolutePath());
                remember(path);
                recovery.clear();
                autosavedRevision = -1;
                done.complete(true);
            });
        });
        return done;
    }

    /** Saves to the current file. Returns null when there is none yet: the View then asks for one (Save As). */
    public CompletableFuture<Boolean> save() {
        if (file.get() == null) {
            return null;
        }
        return write(file.get());
    }

    /** Saves to a new file ({@code .weft} is added when missing) and makes it the current file. */
    public CompletableFuture<Boolean> saveAs(Path path) {
        Path p = path;
        if (!p.getFileName().toString().toLowerCase().endsWith(ProjectFile.EXTENSION)) {
            p = p.resolveSibling(p.getFileName() + ProjectFile.EXTENSION);
        }
        return write(p);
    }

    private CompletableFuture<Boolean> write(Path path) {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        Project snapshot = story.toProject();
        UndoManager.SavePoint point = undo.savePoint();
        busy.set(true);
        io.execute(() -> {
            try {
                ProjectFile.write(path, snapshot);
            } catch (ProjectFileException e) {
                ui.post(() -> {
                    busy.set(false);
                    notifier.publish(Notification.error("Cannot save " + path.getFileName(), e.getMessage()));
                    done.complete(false);
                });
                return;
            }
            ui.post(() -> {
                busy.set(false);
                file.set(path.toAbsolutePath());
                undo.markUnchanged(point);
                remember(path);
                if (!undo.hasChanged()) {
                    recovery.clear();
                }
                notifier.publish(Notification.info("Saved", "Saved " + path.getFileName()));
                done.complete(true);
            });
        });
        return done;
    }

    private void remember(Path p) {
        settings.addRecent(p);
        recent.setAll(settings.recent());
    }

    /** Drops a recent entry that no longer opens. */
    public void forgetRecent(Path p) {
        settings.removeRecent(p);
        recent.setAll(settings.recent());
    }

    // ------------------------------------------------------------------ autosave and recovery

    /**
     * Writes the unsaved work to this session's recovery file when it changed since the last autosave (the
     * studio calls this every 30 seconds); with nothing unsaved, the recovery file is removed.
     */
    public CompletableFuture<Boolean> autosave() {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        long rev = undo.revisionProperty().get();
        if (!undo.hasChanged()) {
            autosavedRevision = rev;
            io.execute(() -> {
                recovery.clear();
                ui.post(() -> done.complete(false));
            });
            return done;
        }
        if (rev == autosavedRevision) {
            done.complete(false);
            return done;
        }
        Project snapshot = story.toProject();
        Path original = file.get();
        io.execute(() -> {
            try {
                recovery.save(snapshot, original);
                ui.post(() -> {
                    autosavedRevision = rev;
                    done.complete(true);
                });
            } catch (ProjectFileException e) {
                ui.post(() -> {
                    notifier.publish(Notification.warning("Autosave failed", e.getMessage()));
                    done.complete(false);
                });
            }
        });
        return done;
    }

    /** Looks for work left by a session that crashed; sets {@link #recoveryOfferProperty()} if there is some. */
    public void checkRecovery() {
        recoveryOffer.set(recovery.findAbandoned().orElse(null));
    }

    public ReadOnlyObjectProperty<Recovery.Found> recoveryOfferProperty() {
        return recoveryOffer.getReadOnlyProperty();
    }

    /** The question the View asks when a recovery file was found. */
    public String recoveryQuestion() {
        Recovery.Found f = recoveryOffer.get();
        if (f == null) {
            return "";
        }
        String what = f.originalFile() == null ? "an untitled story" : f.originalFile().getFileName().toString();
        return "Weft did not close normally last time. Unsaved work on " + what + " was autosaved at "
                + DateFormat.getTimeInstance(DateFormat.SHORT).format(new Date(f.savedAt())) + ". Restore it?";
    }

    /** Loads the recovered work; it counts as unsaved (Save writes it to its original file, if it had one). */
    public CompletableFuture<Boolean> restoreRecovery() {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        Recovery.Found f = recoveryOffer.get();
        if (f == null) {
            done.complete(false);
            return done;
        }
        recoveryOffer.set(null);
        io.execute(() -> {
            try {
                Project p = ProjectFile.read(f.file());
                ui.post(() -> {
                    story.load(p);
                    file.set(f.originalFile());
                    undo.markChanged();
                    autosavedRevision = -1;
                    // keep the work safe under this session's name before letting the old file go
                    autosave().thenRun(() -> io.execute(() -> recovery.discard(f)));
                    done.complete(true);
                });
            } catch (ProjectFileException e) {
                ui.post(() -> {
                    notifier.publish(Notification.error("Cannot restore the autosaved work", e.getMessage()));
                    done.complete(false);
                });
            }
        });
        return done;
    }

    /** The user declined the recovered work: it is deleted. */
    public void discardRecovery() {
        Recovery.Found f = recoveryOffer.get();
        recoveryOffer.set(null);
        if (f != null) {
            io.execute(() -> recovery.discard(f));
        }
    }

    /** A clean exit: the recovery file goes (the user saved or chose not to). */
    public void closeCleanly() {
        recovery.clear();
    }
}
