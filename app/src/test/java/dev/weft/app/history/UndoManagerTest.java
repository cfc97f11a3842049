package dev.weft.app.history;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Undo and redo stacks, merging and the save point behind the unsaved-changes marker. */
class UndoManagerTest {
    private final List<String> doc = new ArrayList<>();
    private final UndoManager undo = new UndoManager();

    /** Appends a word (applied by the caller, as in the studio). */
    private UndoableEdit append(String w) {
        doc.add(w);
        return new UndoableEdit() {
            @Override
            public String name() {
                return "Add " + w;
            }

            @Override
            public void undo() {
                doc.remove(doc.size() - 1);
            }

            @Override
            public void redo() {
                doc.add(w);
            }
        };
    }

    @Test
    void undoRedoAndNames() {
        undo.add(append("a"));
        undo.add(append("b"));
        assertEquals("Add b", undo.undoNameProperty().get());
        undo.undo();
        assertEquals(List.of("a"), doc);
        assertEquals("Add b", undo.redoNameProperty().get());
        undo.redo();
        assertEquals(List.of("a", "b"), doc);
        undo.undo();
        undo.undo();
        assertEquals(List.of(), doc);
        assertFalse(undo.canUndoProperty().get());
        undo.add(append("c"));
        assertFalse(undo.canRedoProperty().get(), "a new edit drops the redo tail");
    }

    @Test
    void savePointDrivesChanged() {
        assertFalse(undo.hasChanged());
        undo.add(append("a"));
        assertTrue(undo.hasChanged());
        undo.markUnchanged();
        assertFalse(undo.hasChanged());
        undo.add(append("b"));
        assertTrue(undo.hasChanged());
        undo.undo();
        assertFalse(undo.hasChanged(), "back at the saved state");
        undo.undo();
        assertTrue(undo.hasChanged());
        undo.add(append("x"));
        undo.undo();
        undo.redo();
        assertTrue(undo.hasChanged(), "the saved state is unreachable after a new branch");
    }

    @Test
    void savePointTakenBeforeAnAsyncSave() {
        undo.add(append("a"));
        UndoManager.SavePoint p = undo.savePoint();
        undo.add(append("b"));
        undo.markUnchanged(p);
        assertTrue(undo.hasChanged(), "b came after the snapshot");
        undo.undo();
        assertFalse(undo.hasChanged());
    }
}
