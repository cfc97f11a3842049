package dev.weft.app.storyboard;

/** What a cell's context menu asks of the window (file dialogs, the clipboard, the other tabs). */
public interface CellActions {
    /** Save the picture (a sketch: its map) to a file the user picks. */
    void savePicture(CellViewModel c);

    /** Put the picture on the clipboard. */
    void copyPicture(CellViewModel c);

    /** Make the picture the style board's reference and show the style board. */
    void useAsReference(CellViewModel c);
}
