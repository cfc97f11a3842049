package dev.weft.app.storyboard;

import dev.weft.app.history.UndoableEdit;
import javafx.collections.ObservableList;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The storyboard's undoable edits, one class per user action; each keeps the old and the new values. */
final class CellEdits {
    private CellEdits() { }

    /** A cell at a position. */
    record Placed(CellViewModel cell, int index) { }

    static List<Placed> placedIn(ObservableList<CellViewModel> cells, List<CellViewModel> which) {
        List<Placed> l = new ArrayList<>();
        for (CellViewModel c : which) {
            int i = cells.indexOf(c);
            if (i >= 0) {
                l.add(new Placed(c, i));
            }
        }
        l.sort(Comparator.comparingInt(Placed::index));
        return l;
    }

    private static void insertAll(ObservableList<CellViewModel> cells, List<Placed> placed) {
        for (Placed p : placed) {
            cells.add(Math.min(p.index(), cells.size()), p.cell());
        }
    }

    private static void removeAll(ObservableList<CellViewModel> cells, List<Placed> placed) {
        for (Placed p : placed) {
            cells.remove(p.cell());
        }
    }

    /** Cells added (typed, imported, pasted, duplicated, generated); they are in the list already. */
    record Insert(String name, ObservableList<CellViewModel> cells, List<Placed> placed) implements UndoableEdit {
        @Override
        public void undo() {
            removeAll(cells, placed);
        }

        @Override
        public void redo() {
            insertAll(cells, placed);
        }
    }

    /** Cells deleted; {@code placed} holds where they were. */
    record Remove(String name, ObservableList<CellViewModel> cells, List<Placed> placed) implements UndoableEdit {
        @Override
        public void undo() {
            insertAll(cells, placed);
        }

        @Override
        public void redo() {
            removeAll(cells, placed);
        }
    }

    /** A cell moved (a whole drag is one move). */
    record Move(ObservableList<CellViewModel> cells, CellViewModel cell, int from, int to) implements UndoableEdit {
        @Override
        public String name() {
            return "Move cell";
        }

        @Override
        public void undo() {
            cells.remove(cell);
            cells.add(Math.min(from, cells.size()), cell);
        }

        @Override
        public void redo() {
            cells.remove(cell);
            cells.add(Math.min(to, cells.size()), cell);
        }
    }

    /** Typing in one text cell; consecutive typing in the same cell merges into one step. */
    static final class Typing implements UndoableEdit {
        private final CellViewModel cell;
        private final String before;
        private String after;

        Typing(CellViewModel cell, String before, String after) {
            this.cell = cell;
            this.before = before;
            this.after = after;
        }

        @Override
        public String name() {
            return "Typing";
        }

        @Override
        public void undo() {
            cell.setText(before);
        }

        @Override
        public void redo() {
            cell.setText(after);
        }

        @Override
        public boolean absorb(UndoableEdit next) {
            if (next instanceof Typing t && t.cell == cell && t.before.equals(after)) {
                after = t.after;
                return true;
            }
            return false;
        }
    }

    /** A cell's content, recipe and versions replaced at once (regenerate, vary seed, restore a version). */
    record State(String name, CellViewModel cell, CellState before, CellState after) implements UndoableEdit {
        @Override
        public void undo() {
            cell.apply(before);
        }

        @Override
        public void redo() {
            cell.apply(after);
        }
    }
}
