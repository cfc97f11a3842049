package dev.weft.app.project;

/** What a storyboard cell holds. */
public enum CellKind {
    /** Text, context for what follows. */
    TEXT,
    /** A picture (imported, pasted or generated). */
    IMAGE,
    /** A segmentation sketch (strokes as data) and its caption, painted into a picture on request. */
    SKETCH
}
