package dev.weft.app.sketch;

import dev.weft.app.common.FxImages;
import javafx.beans.property.DoubleProperty;
import javafx.beans.binding.Bindings;
import javafx.beans.value.ObservableObjectValue;
import javafx.beans.value.ObservableStringValue;
import javafx.geometry.Pos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Rectangle;
import javafx.scene.shape.StrokeLineCap;
import javafx.scene.shape.StrokeLineJoin;
import javafx.util.StringConverter;

import java.util.List;
import java.util.function.Consumer;

/**
 * The segmentation sketch pad inside a sketch cell: the model's classes by name (with their colours), brush sizes,
 * brush / eraser / fill, clear, live preview, a caption and Paint. Press-drag-release makes one stroke (one undo
 * step); the pad shows the sketch rasterized exactly as the engine will read it, with the stroke in progress drawn
 * on top. With Live on, the latest quick preview of the picture is shown beside the map.
 */
public final class SketchPadView extends VBox {
    public static final double BASE_SIZE = 256;
    /** Up to this many classes are offered as buttons; more go in a drop-down list. */
    static final int CHIPS_UP_TO = 16;

    /** What the pad asks of its cell's ViewModel. */
    public interface Actions {
        void op(SketchOp op);

        void caption(String text);

        void paint();
    }

    /** What the pad shows of its cell. */
    public record Model(ObservableObjectValue<Sketch> sketch, ObservableStringValue caption,
                        ObservableObjectValue<Image> livePreview, ObservableStringValue liveStatus) { }

    private final Canvas canvas = new Canvas();
    private final SketchTools tools;
    private final ObservableObjectValue<Sketch> sketch;
    private final DoubleProperty zoom;
    private final VBox classBox = new VBox();
    private SegmentationPalette shownPalette;
    private Runnable syncPicker = () -> { };
    private javafx.scene.image.Image raster;
    private float[] points = new float[0];
    private int count;

    public SketchPadView(SketchTools tools, Model model, DoubleProperty zoom, Actions actions) {
        super(6);
        this.tools = tools;
        this.sketch = model.sketch();
        this.zoom = zoom;
        getStyleClass().add("sketch-pad");

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
        brush.setTooltip(new Tooltip("Paint the chosen class"));
        eraser.setTooltip(new Tooltip("Paint the background back"));
        fill.setTooltip(new Tooltip("Fill the region under the cursor with the chosen class"));

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
        ToggleButton live = new ToggleButton("Live");
        live.getStyleClass().add("sketch-live");
        live.selectedProperty().bindBidirectional(tools.liveProperty());
        live.setTooltip(new Tooltip("Live preview: a quick picture (few steps) after every change"));
        FlowPane toolbar = new FlowPane(6, 4, brush, eraser, fill, size, clear, live);
        toolbar.setAlignment(Pos.CENTER_LEFT);

        classBox.getStyleClass().add("sketch-classes-box");
        tools.labelProperty().addListener((o, a, b) -> syncPicker.run());

        TextField captionField = new TextField(model.caption().get());
        captionField.getStyleClass().add("sketch-caption");
        captionField.setPromptText("Caption (what the picture shows)");
        captionField.textProperty().addListener((o, a, b) -> actions.caption(b));
        model.caption().addListener((o, a, b) -> {
            if (!b.equals(captionField.getText())) {
                captionField.setText(b);
            }
        });
        HBox.setHgrow(captionField, javafx.scene.layout.Priority.ALWAYS);
        Button paint = new Button("Paint ▶");
        paint.getStyleClass().addAll("accent", "sketch-paint");
        paint.setTooltip(new Tooltip("Paint the picture this map and caption describe, into the story"));
        paint.setOnAction(e -> actions.paint());
        HBox bottom = new HBox(6, captionField, paint);
        bottom.setAlignment(Pos.CENTER_LEFT);

        canvas.getStyleClass().add("sketch-canvas");
        canvas.widthProperty().bind(zoom.multiply(BASE_SIZE));
        canvas.heightProperty().bind(zoom.multiply(BASE_SIZE));
        canvas.widthProperty().addListener((o, a, b) -> redraw());
        sketch.addListener((o, a, b) -> {
            raster = null;
            showPalette(b.palette());
            redraw();
        });
        installMouse(actions::op);

        ImageView preview = new ImageView();
        preview.getStyleClass().add("sketch-live-preview");
        preview.imageProperty().bind(model.livePreview());
        preview.fitWidthProperty().bind(zoom.multiply(BASE_SIZE));
        preview.fitHeightProperty().bind(zoom.multiply(BASE_SIZE));
        preview.setPreserveRatio(true);
        Label previewStatus = new Label();
        previewStatus.getStyleClass().add("sketch-live-status");
        previewStatus.textProperty().bind(Bindings.createStringBinding(() -> {
            String st = model.liveStatus().get();
            if (st != null && !st.isEmpty()) {
                return st;
            }
            return model.livePreview().get() == null ? "Draw to see a preview" : "";
        }, model.liveStatus(), model.livePreview()));
        previewStatus.setWrapText(true);
        StackPane previewPane = new StackPane(preview, previewStatus);
        previewPane.getStyleClass().add("sketch-live-pane");
        previewPane.minWidthProperty().bind(zoom.multiply(BASE_SIZE));
        previewPane.minHeightProperty().bind(zoom.multiply(BASE_SIZE));
        previewPane.maxWidthProperty().bind(zoom.multiply(BASE_SIZE));
        previewPane.maxHeightProperty().bind(zoom.multiply(BASE_SIZE));
        StackPane.setAlignment(previewStatus, Pos.BOTTOM_CENTER);
        previewPane.visibleProperty().bind(tools.liveProperty());
        previewPane.managedProperty().bind(tools.liveProperty());
        HBox surfaces = new HBox(8, canvas, previewPane);

        getChildren().addAll(classBox, toolbar, surfaces, bottom);
        showPalette(sketch.get() == null ? SegmentationPalette.ade20k() : sketch.get().palette());
        redraw();
    }

    /** The class picker for a palette: buttons for a few classes, a list for many. Rebuilt when it changes. */
    private void showPalette(SegmentationPalette p) {
        if (p.equals(shownPalette)) {
            syncPicker.run();
            return;
        }
        shownPalette = p;
        List<SegmentationPalette.Entry> brushes = p.brushes();
        String tip = "The class painted (" + p.name() + " classes)";
        if (brushes.size() <= CHIPS_UP_TO) {
            ToggleGroup g = new ToggleGroup();
            FlowPane chips = new FlowPane(4, 4);
            chips.getStyleClass().add("sketch-classes");
            for (SegmentationPalette.Entry e : brushes) {
                ToggleButton b = new ToggleButton(e.name(), swatch(e));
                b.getStyleClass().add("sketch-class");
                b.setUserData(e);
                b.setToggleGroup(g);
                b.setTooltip(new Tooltip(tip));
                chips.getChildren().add(b);
            }
            syncPicker = () -> {
                SegmentationPalette.Entry want = tools.labelIn(p);
                g.getToggles().stream().filter(t -> t.getUserData().equals(want)).findFirst()
                        .ifPresent(g::selectToggle);
            };
            g.selectedToggleProperty().addListener((o, a, b) -> {
                if (b == null) {
                    g.selectToggle(a); // always one class
                } else {
                    tools.labelProperty().set((SegmentationPalette.Entry) b.getUserData());
                }
            });
            classBox.getChildren().setAll(chips);
        } else {
            ComboBox<SegmentationPalette.Entry> list = new ComboBox<>();
            list.getStyleClass().add("sketch-classes");
            list.getItems().setAll(brushes);
            list.setCellFactory(l -> new SwatchCell());
            list.setButtonCell(new SwatchCell());
            list.setVisibleRowCount(12);
            list.setTooltip(new Tooltip(tip));
            syncPicker = () -> list.setValue(tools.labelIn(p));
            list.valueProperty().addListener((o, a, b) -> {
                if (b != null) {
                    tools.labelProperty().set(b);
                }
            });
            classBox.getChildren().setAll(list);
        }
        syncPicker.run();
    }

    private SegmentationPalette palette() {
        Sketch s = sketch.get();
        return s == null ? SegmentationPalette.ade20k() : s.palette();
    }

    private static Rectangle swatch(SegmentationPalette.Entry e) {
        Rectangle r = new Rectangle(12, 12, rgb(e.rgb()));
        r.setStroke(Color.gray(0.4));
        return r;
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
                op.accept(new SketchOp.Fill(tools.labelIn(palette()).id(), x, y));
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
            op.accept(tools.stroke(p, palette())); // redraws through the sketch listener
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
            SegmentationPalette p = palette();
            g.setStroke(rgb(erase ? p.color(SegmentationPalette.UNLABELLED) : tools.labelIn(p).rgb()));
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
            setGraphic(swatch(e));
            setText(e.name());
        }
    }

    public Canvas canvas() {
        return canvas;
    }

}
