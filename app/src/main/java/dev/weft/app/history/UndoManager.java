package dev.weft.app.history;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

import java.util.ArrayList;
import java.util.List;

/**
 * Undo and redo stacks with a save point, after JabRef's {@code CountingUndoManager}: {@link #markUnchanged()}
 * remembers the current position; {@link #changedProperty()} is true whenever the document differs from it (it
 * drives the title's unsaved marker and the close prompt). Edits are applied by the caller before {@link #add};
 * {@code add} only records them. UI thread only.
 */
public final class UndoManager {
    /** Oldest edits are dropped beyond this many. */
    public static final int LIMIT = 500;

    private final List<UndoableEdit> edits = new ArrayList<>();
    /** edits[0, index) are applied. */
    private int index;
    /** The position saved last; -1 when that state can no longer be reached. */
    private int savedIndex;
    /** When true the top edit takes no more merges (after undo, save, focus change, ...). */
    private boolean sealed = true;
    private boolean applying;

    private final ReadOnlyBooleanWrapper canUndo = new ReadOnlyBooleanWrapper(this, "canUndo");
    private final ReadOnlyBooleanWrapper canRedo = new ReadOnlyBooleanWrapper(this, "canRedo");
    private final ReadOnlyBooleanWrapper changed = new ReadOnlyBooleanWrapper(this, "changed");
    private final ReadOnlyStringWrapper undoName = new ReadOnlyStringWrapper(this, "undoName", "");
    private final ReadOnlyStringWrapper redoName = new ReadOnlyStringWrapper(this, "redoName", "");
    /** Increments on every change of the document through this manager (autosave watches it). */
    private final ReadOnlyLongWrapper revision = new ReadOnlyLongWrapper(this, "revision");

    /** Records an edit the caller has just applied. Ignored while an undo or redo is running. */
    public void add(UndoableEdit e) {
        if (applying) {
            return;
        }
        if (!sealed && index == edits.size() && index > 0 && savedIndex != index && edits.get(index - 1).absorb(e)) {
            update();
            return;
        }
        while (edits.size() > index) {
            edits.remove(edits.size() - 1);
        }
        if (savedIndex > index) {
            savedIndex = -1;
        }
        edits.add(e);
        index++;
        if (edits.size() > LIMIT) {
            edits.remove(0);
            index--;
            savedIndex = savedIndex > 0 ? savedIndex - 1 : -1;
        }
        sealed = false;
        update();
    }

    public void undo() {
        if (index == 0) {
            return;
        }
        sealed = true;
        applying = true;
        try {
            edits.get(--index).undo();
        } finally {
            applying = false;
        }
        update();
    }

    public void redo() {
        if (index == edits.size()) {
            return;
        }
        sealed = true;
        applying = true;
        try {
            edits.get(index++).redo();
        } finally {
            applying = false;
        }
        update();
    }

    /** The next edit starts a new step even if it could merge (e.g. typing resumes after a pause). */
    public void seal() {
        sealed = true;
    }

    /** True while an undo or redo is being applied (listeners then must not record edits). */
    public boolean isApplying() {
        return applying;
    }

    /** The document now equals what is on disk. */
    public void markUnchanged() {
        sealed = true;
        savedIndex = index;
        update();
    }

    /**
     * A save point for a save that finishes later: pass it to {@link #markUnchanged(SavePoint)} when the file is
     * written. Edits made in between keep the document marked as changed.
     */
    public SavePoint savePoint() {
        sealed = true;
        return new SavePoint(index == 0 ? null : edits.get(index - 1), index);
    }

    public void markUnchanged(SavePoint p) {
        int i = p.top() == null ? 0 : edits.indexOf(p.top()) + 1;
        if (p.top() != null && i == 0) {
            return; // that edit was dropped
        }
        if (p.top() == null && p.index() != 0) {
            return;
        }
        savedIndex = i;
        update();
    }

    /** The document differs from every saved state (e.g. recovered after a crash). */
    public void markChanged() {
        savedIndex = -1;
        update();
    }

    /** Forgets all edits (new project, open); the document counts as unchanged. */
    public void discardAll() {
        edits.clear();
        index = 0;
        savedIndex = 0;
        sealed = true;
        update();
    }

    private void update() {
        canUndo.set(index > 0);
        canRedo.set(index < edits.size());
        changed.set(index != savedIndex);
        undoName.set(index > 0 ? edits.get(index - 1).name() : "");
        redoName.set(index < edits.size() ? edits.get(index).name() : "");
        revision.set(revision.get() + 1);
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return canUndo.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return canRedo.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty changedProperty() {
        return changed.getReadOnlyProperty();
    }

    public boolean hasChanged() {
        return changed.get();
    }

    public ReadOnlyStringProperty undoNameProperty() {
        return undoName.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty redoNameProperty() {
        return redoName.getReadOnlyProperty();
    }

    public ReadOnlyLongProperty revisionProperty() {
        return revision.getReadOnlyProperty();
    }

    /** How many edits can be undone (tests). */
    public int undoCount() {
        return index;
    }

    /** Where a save started. */
    public record SavePoint(UndoableEdit top, int index) { }
}
