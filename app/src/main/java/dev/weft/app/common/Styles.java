package dev.weft.app.common;

import javafx.css.PseudoClass;

/** Style-class names and pseudo-classes used by the Views (the rules live in {@code studio.css}). */
public final class Styles {
    private Styles() { }

    public static final String STORYBOARD = "storyboard";
    public static final String CELL_CARD = "cell-card";
    public static final String CELL_TEXT = "cell-text";
    public static final String CELL_IMAGE = "cell-image";
    public static final String DRAG_HANDLE = "drag-handle";
    public static final String CELL_ACTION = "cell-action";
    public static final String CELL_META = "cell-meta";
    public static final String EMPTY_HINT = "empty-hint";
    public static final String SIDE_PANEL = "side-panel";
    public static final String PANEL_TITLE = "panel-title";
    public static final String JOB_CARD = "job-card";
    public static final String JOB_ERROR = "job-error";
    public static final String JOB_TITLE = "job-title";
    public static final String MUTED = "muted";
    public static final String STATUS_BAR = "status-bar";
    public static final String TOOLBAR = "studio-toolbar";
    public static final String ACCENT_BUTTON = "accent";
    public static final String VERSION_ROW = "version-row";

    public static final PseudoClass SELECTED = PseudoClass.getPseudoClass("selected");
    public static final PseudoClass GENERATING = PseudoClass.getPseudoClass("generating");
    public static final PseudoClass DROP_BEFORE = PseudoClass.getPseudoClass("drop-before");
    public static final PseudoClass DROP_AFTER = PseudoClass.getPseudoClass("drop-after");
    public static final PseudoClass DARK = PseudoClass.getPseudoClass("dark");
    public static final PseudoClass FAILED = PseudoClass.getPseudoClass("failed");
}
