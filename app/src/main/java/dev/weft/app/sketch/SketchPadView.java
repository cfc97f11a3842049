package dev.weft.app.sketch;

import dev.weft.app.common.FxImages;
import javafx.beans.property.DoubleProperty;
import javafx.beans.value.ObservableObjectValue;
import javafx.geometry.Pos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.ListCell;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;
import javafx.scene.shape.StrokeLineCap;
import javafx.scene.shape.StrokeLineJoin;
import javafx.util.StringConverter;

import java.util.function.Consumer;

/**
 * The segmentation sketch pad inside a sketch cell: a class palette with names and colours, brush sizes, brush /
 * eraser / fill, clear, a caption and Paint. Press-drag-release makes one stroke (one undo step); the pad shows
 * the sketch rasterized exactly as the engine will read it, with the stroke in progress drawn on top.
 */
public final class SketchPadView extends VBox {
    public static final double BASE_SIZE = 256;

    /** What the pad asks of its cell's ViewModel. */
    public interface Actions {
        void op(SketchOp op);

        void caption(String text);

        void paint();
    }

    private final Canvas canvas = new Canvas();
    private final SketchTools tools;
    private final ObservableObjectValue<Sketch> sketch;
    private final DoubleProperty zoom;
    private javafx.scene.image.Image raster;
    private float[] points = new float[0];
    private int count;

    public SketchPadView(SketchTools tools, ObservableObjectValue<Sketch> sketch, DoubleProperty zoom,
                         javafx.beans.value.ObservableStringValue caption, Actions actions) {
        super(6);
        this.tools = tools;
        this.sketch = sketch;
        this.zoom = zoom;
        getStyleClass().add("sketch-pad");

        ComboBox<SegmentationPalette.Entry> classes = new ComboBox<>();
        classes.getStyleClass().add("sketch-classes");
        classes.getItems().setAll(SegmentationPalette.COMMON);
        classes.valueProperty().bindBidirectional(tools.labelProperty());
        classes.setCellFactory(l -> new SwatchCell());
        classes.setButtonCell(new SwatchCell());
        classes.setVisibleRowCount(12);
        classes.setTooltip(new Tooltip("The class painted (ADE20K names and MM-Interleaved's map colours)"));

        ToggleGroup group = new ToggleGroup();
        ToggleButton brush = tool("Brush", SketchTools.Tool.BRUSH, group);
        ToggleButton eraser = tool("Eraser", SketchTools.Tool.ERASER, group);
        ToggleButton fill = tool("Fill", SketchTools.Tool.FILL, group);
        group.selectToggle(switch (tools.toolProperty().get()) {
            case BRUSH -> brush;
            case ERASER -> eraser;
            case FILL -> fill;
        });
        group.selectedToggleProperty().addListener((o, a, b) -> {
            if (b == null) {
                group.selectToggle(a); // always one tool
            } else {
                tools.toolProperty().set((SketchTools.Tool) b.getUserData());
            }
        });
        tools.toolProperty().addListener((o, a, b) -> group.getToggles().stream()
                .filter(t -> t.getUserData() == b).findFirst().ifPresent(group::selectToggle));

        ChoiceBox<Double> size = new ChoiceBox<>();
        for (double d : SketchTools.BRUSH_SIZES) {
            size.getItems().add(d);
        }
        size.setConverter(new StringConverter<>() {
            @Override
            public String toString(Double d) {
                return d == null ? "" : (int) d.doubleValue() + " px";
            }

            @Override
            public Double fromString(String s) {
                return Double.valueOf(s.replace(" px", ""));
            }
        });
        size.setValue(tools.brushSizeProperty().get());
        size.valueProperty().addListener((o, a, b) -> {
            if (b != null) {
                tools.brushSizeProperty().set(b);
            }
        });
        tools.brushSizeProperty().addListener((o, a, b) -> size.setValue(b.doubleValue()));
        size.setTooltip(new Tooltip("Brush size"));

        Button clear = new Button("Clear");
        clear.getStyleClass().add("sketch-clear");
        clear.setOnAction(e -> actions.op(new SketchOp.Clear()));
        FlowPane toolbar = new FlowPane(6, 4, classes, brush, eraser, fill, size, clear);
        toolbar.setAlignment(Pos.CENTER_LEFT);

        TextField captionField = new TextField(caption.get());
        captionField.getStyleClass().add("sketch-caption");
        captionField.setPromptText("Caption (what the picture shows)");
        captionField.textProperty().addListener((o, a, b) -> actions.caption(b));
        caption.addListener((o, a, b) -> {
            if (!b.equals(captionField.getText())) {
                captionField.setText(b);
            }
        });
        HBox.setHgrow(captionField, javafx.scene.layout.Priority.ALWAYS);
        Button paint = new Button("Paint ▶");
        paint.getStyleClass().addAll("accent", "sketch-paint");
        paint.setOnAction(e -> actions.paint());
        HBox bottom = new HBox(6, captionField, paint);
        bottom.setAlignment(Pos.CENTER_LEFT);

        canvas.getStyleClass().add("sketch-canvas");
        canvas.widthProperty().bind(zoom.multiply(BASE_SIZE));
        canvas.heightProperty().bind(zoom.multiply(BASE_SIZE));
        canvas.widthProperty().addListener((o, a, b) -> redraw());
        sketch.addListener((o, a, b) -> {
            raster = null;
            redraw();
        });
        installMouse(actions::op);
        getChildren().addAll(toolbar, canvas, bottom);
        redraw();
    }

    private ToggleButton tool(String name, SketchTools.Tool t, ToggleGroup g) {
        ToggleButton b = new ToggleButton(name);
        b.setUserData(t);
        b.setToggleGroup(g);
        b.getStyleClass().add("sketch-tool-" + t.name().toLowerCase());
        return b;
    }

    private double scale() {
        Sketch s = sketch.get();
        return canvas.getWidth() / (s == null ? Sketch.SIZE : s.size());
    }

    private void installMouse(Consumer<SketchOp> op) {
        canvas.addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            e.consume();
            float x = (float) (e.getX() / scale());
            float y = (float) (e.getY() / scale());
            if (tools.toolProperty().get() == SketchTools.Tool.FILL) {
                op.accept(new SketchOp.Fill(tools.labelProperty().get().id(), x, y));
                return;
            }
            points = new float[64];
            count = 0;
            add(x, y);
            redraw();
        });
        canvas.addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> {
            e.consume();
            if (count == 0) {
                return;
            }
            add((float) (e.getX() / scale()), (float) (e.getY() / scale()));
            redraw();
        });
        canvas.addEventHandler(MouseEvent.MOUSE_RELEASED, e -> {
            e.consume();
            if (count == 0) {
                return;
            }
            float[] p = java.util.Arrays.copyOf(points, count);
            count = 0;
            op.accept(tools.stroke(p)); // redraws through the sketch listener
        });
    }

    private void add(float x, float y) {
        if (count + 2 > points.length) {
            points = java.util.Arrays.copyOf(points, points.length * 2);
        }
        points[count++] = x;
        points[count++] = y;
    }

    private void redraw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        Sketch s = sketch.get();
        if (s == null) {
            return;
        }
        if (raster == null) {
            raster = FxImages.toFx(SketchRasterizer.rasterize(s));
        }
        g.setImageSmoothing(false);
        g.drawImage(raster, 0, 0, canvas.getWidth(), canvas.getHeight());
        if (count >= 2) {
            double k = scale();
            boolean erase = tools.toolProperty().get() == SketchTools.Tool.ERASER;
            g.setStroke(erase ? Color.BLACK : rgb(tools.labelProperty().get().rgb()));
            g.setFill(g.getStroke());
            g.setLineWidth(tools.brushSizeProperty().get() * k);
            g.setLineCap(StrokeLineCap.ROUND);
            g.setLineJoin(StrokeLineJoin.ROUND);
            if (count == 2) {
                double r = tools.brushSizeProperty().get() * k / 2;
                g.fillOval(points[0] * k - r, points[1] * k - r, 2 * r, 2 * r);
            } else {
                g.beginPath();
                g.moveTo(points[0] * k, points[1] * k);
                for (int i = 2; i < count; i += 2) {
                    g.lineTo(points[i] * k, points[i + 1] * k);
                }
                g.stroke();
            }
        }
    }

    static Color rgb(int rgb) {
        return Color.rgb((rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255);
    }

    /** A palette entry with its colour swatch. */
    static final class SwatchCell extends ListCell<SegmentationPalette.Entry> {
        @Override
        protected void updateItem(SegmentationPalette.Entry e, boolean empty) {
            super.updateItem(e, empty);
            if (empty || e == null) {
                setText(null);
                setGraphic(null);
                return;
            }
            Rectangle r = new Rectangle(12, 12, rgb(e.rgb()));
            r.setStroke(Color.gray(0.4));
            setGraphic(r);
            setText(e.name());
        }
    }

    public Canvas canvas() {
        return canvas;
    }

}
