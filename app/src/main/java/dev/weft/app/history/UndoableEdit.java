package dev.weft.app.history;

/** One user action that can be undone and redone; it stores the old and the new values it needs. */
public interface UndoableEdit {
    /** Shown in the Edit menu: "Undo " + name. */
    String name();

    void undo();

    void redo();

    /**
     * Offers the next edit to this one (typing in the same cell merges into one step). Returns true if this edit
     * absorbed it; it has then already been applied and is not stored separately.
     */
    default boolean absorb(UndoableEdit next) {
        return false;
    }
}
