package dev.weft.app.history;

import java.util.List;

/** Several edits as one step (a drag of several cells, the cells of one generation). Undone in reverse. */
public record CompoundEdit(String name, List<UndoableEdit> edits) implements UndoableEdit {
    public CompoundEdit {
        edits = List.copyOf(edits);
    }

    @Override
    public void undo() {
        for (int i = edits.size() - 1; i >= 0; i--) {
            edits.get(i).undo();
        }
    }

    @Override
    public void redo() {
        for (UndoableEdit e : edits) {
            e.redo();
        }
    }
}
