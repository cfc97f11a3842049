package dev.weft.app;

import dev.weft.app.common.Dialogs;
import dev.weft.app.common.FxImages;
import dev.weft.app.common.ImageFiles;
import dev.weft.app.common.Notification;
import dev.weft.app.common.Styles;
import dev.weft.app.model.ModelDialogView;
import dev.weft.app.project.ProjectViewModel;
import dev.weft.app.queue.GenerationJob;
import dev.weft.app.queue.QueueView;
import dev.weft.app.status.StatusView;
import dev.weft.app.storyboard.CellInspectorView;
import dev.weft.app.storyboard.CellViewModel;
import dev.weft.app.storyboard.GenerationSettings;
import dev.weft.app.storyboard.StoryboardView;
import dev.weft.app.storyboard.StoryboardViewModel;
import dev.weft.app.style.StyleBoardView;
import dev.weft.engine.diffusion.schedulers.SchedulerKind;
import javafx.animation.KeyFrame;
import javafx.animation.PauseTransition;
import javafx.animation.Timeline;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ObjectProperty;
import javafx.collections.ListChangeListener;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Spinner;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.control.TextFormatter;
import javafx.scene.control.Tooltip;
import javafx.scene.control.Separator;
import javafx.scene.input.Clipboard;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.util.Duration;
import javafx.util.StringConverter;
import javafx.util.converter.LongStringConverter;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The studio window: menus, the generation toolbar, the storyboard in the middle, the queue and the cell
 * inspector on the right, the status bar below. It registers every feature View in one place, routes the keyboard
 * shortcuts, shows notifications (dialogs for warnings and errors), asks the questions (save changes? restore?)
 * and runs the autosave timer. It holds no state of its own beyond the controls.
 */
public final class MainView {
    public static final Duration AUTOSAVE_EVERY = Duration.seconds(30);

    private final StudioViewModel vm;
    private final Dialogs dialogs;
    private final BorderPane root = new BorderPane();
    private final StoryboardView storyboard;
    private final TabPane tabs = new TabPane();
    private final StatusView status;
    private final Map<KeyCombination, Runnable> shortcuts = new LinkedHashMap<>();
    private final List<Object> strongRefs = new ArrayList<>();
    private final Timeline autosave;
    private final PauseTransition clearMessage = new PauseTransition(Duration.seconds(6));
    private Stage stage;

    public MainView(StudioViewModel vm, Dialogs dialogs) {
        this.vm = vm;
        this.dialogs = dialogs;
        StoryboardViewModel sb = vm.storyboard();
        root.setId("studio-root");
        storyboard = new StoryboardView(sb);
        storyboard.setOnAddPicture(this::addPictures);
        storyboard.setCellActions(new dev.weft.app.storyboard.CellActions() {
            @Override
            public void savePicture(CellViewModel c) {
                String base = vm.export().suggestedName("png").replaceFirst("\\.png$", "");
                dialogs.chooseExport(c.isSketch() ? "Save map" : "Save picture", base + "-"
                        + (vm.storyboard().cells().indexOf(c) + 1) + (c.isSketch() ? "-map" : "") + ".png", "png")
                        .ifPresent(p -> vm.export().savePicture(c, p));
            }

            @Override
            public void copyPicture(CellViewModel c) {
                javafx.scene.input.ClipboardContent content = new javafx.scene.input.ClipboardContent();
                content.putImage(FxImages.toFx(c.getImage()));
                Clipboard.getSystemClipboard().setContent(content);
            }

            @Override
            public void useAsReference(CellViewModel c) {
                vm.styleBoard().setReference(c.getImage());
                tabs.getSelectionModel().select(1);
            }
        });
        QueueView queue = new QueueView(vm.queue());
        CellInspectorView inspector = new CellInspectorView(sb);
        SplitPane side = new SplitPane(queue, inspector);
        side.setOrientation(Orientation.VERTICAL);
        side.setDividerPositions(0.5);
        StyleBoardView style = new StyleBoardView(vm.styleBoard(), dialogs::choosePictures,
                () -> tabs.getSelectionModel().select(0));
        Tab storyTab = new Tab("Storyboard", storyboard);
        storyTab.setId("tab-story");
        Tab styleTab = new Tab("Style board", style);
        styleTab.setId("tab-style");
        tabs.getTabs().setAll(storyTab, styleTab);
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        SplitPane main = new SplitPane(tabs, side);
        main.setDividerPositions(0.7);
        SplitPane.setResizableWithParent(side, false);
        status = new StatusView(vm.status(), vm.queue().summaryBinding());
        VBox top = new VBox(menus(), toolbar());
        top.getStyleClass().add("top-bar");
        root.setTop(top);
        root.setCenter(main);
        root.setBottom(status);
        clearMessage.setOnFinished(e -> status.messageProperty().set(""));

        vm.notifier().subscribe(this::notify);
        vm.theme().darkProperty().addListener((o, a, b) -> root.pseudoClassStateChanged(Styles.DARK, b));
        root.pseudoClassStateChanged(Styles.DARK, vm.theme().darkProperty().get());
        autosave = new Timeline(new KeyFrame(AUTOSAVE_EVERY, e -> vm.project().autosave()));
        autosave.setCycleCount(Timeline.INDEFINITE);
        shortcuts();
    }

    public BorderPane root() {
        return root;
    }

    public StoryboardView storyboard() {
        return storyboard;
    }

    /** Puts the window together: scene, title, shortcuts, close handling, autosave. */
    public Scene install(Stage s) {
        this.stage = s;
        Scene scene = new Scene(root, 1180, 760);
        scene.getStylesheets().add(MainView.class.getResource("studio.css").toExternalForm());
        scene.addEventFilter(KeyEvent.KEY_PRESSED, this::shortcut);
        s.setScene(scene);
        s.titleProperty().bind(vm.project().titleBinding());
        s.setOnCloseRequest(e -> {
            e.consume();
            requestClose();
        });
        autosave.play();
        return scene;
    }

    /** After the window is shown: offer work left by a crash. */
    public void afterShown() {
        storyboard.requestFocus(); // not the first text field of the toolbar
        vm.project().checkRecovery();
        if (vm.project().recoveryOfferProperty().get() != null) {
            Platform.runLater(() -> {
                if (dialogs.confirm("Recover unsaved work?", vm.project().recoveryQuestion(), "Restore",
                        "Discard")) {
                    vm.project().restoreRecovery();
                } else {
                    vm.project().discardRecovery();
                }
            });
        }
    }

    public void dispose() {
        autosave.stop();
        status.stop();
    }

    // ------------------------------------------------------------------ notifications

    private void notify(Notification n) {
        if (n.level() == Notification.Level.INFO) {
            status.messageProperty().set(n.title().equals("Saved") ? n.message() : n.title() + ": " + n.message());
            clearMessage.playFromStart();
        } else {
            // never inside a layout pass or an animation: dialogs wait in a nested event loop
            Platform.runLater(() -> dialogs.show(n));
        }
    }

    // ------------------------------------------------------------------ menus and toolbar

    private MenuBar menus() {
        StoryboardViewModel sb = vm.storyboard();
        ProjectViewModel project = vm.project();

        Menu recent = new Menu("Open Recent");
        Runnable fillRecent = () -> {
            recent.getItems().clear();
            for (Path p : project.recent()) {
                MenuItem i = new MenuItem(p.getFileName() + "  —  " + p.getParent());
                i.setOnAction(e -> openRecent(p));
                recent.getItems().add(i);
            }
            recent.setDisable(recent.getItems().isEmpty());
        };
        project.recent().addListener((ListChangeListener<Path>) ch -> fillRecent.run());
        fillRecent.run();
        Menu file = new Menu("File", null,
                item("New", "Shortcut+N", this::newProject),
                item("Open…", "Shortcut+O", this::open),
                recent,
                new SeparatorMenuItem(),
                item("Save", "Shortcut+S", () -> save(ok -> { })),
                item("Save As…", "Shortcut+Shift+S", () -> saveAs(ok -> { })),
                new Menu("Export", null,
                        item("HTML Page…", "Shortcut+E", () -> dialogs.chooseExport("Export HTML",
                                vm.export().suggestedName("html"), "html").ifPresent(vm.export()::exportHtml)),
                        item("PDF…", "Shortcut+P", () -> dialogs.chooseExport("Export PDF",
                                vm.export().suggestedName("pdf"), "pdf").ifPresent(vm.export()::exportPdf)),
                        item("Pictures to Folder…", "Shortcut+Alt+E", () -> dialogs.chooseFolder(
                                "Export the pictures to a folder").ifPresent(vm.export()::exportPictures)),
                        item("PNG Strip…", "Shortcut+Shift+E", () -> dialogs.chooseExport("Export PNG strip",
                                vm.export().suggestedName("png"), "png").ifPresent(vm.export()::exportStrip))),
                new SeparatorMenuItem(),
                item("Quit", "Shortcut+Q", this::requestClose));

        MenuItem undo = item("Undo", "Shortcut+Z", vm::undo);
        undo.textProperty().bind(Bindings.concat("Undo ", vm.undoManager().undoNameProperty()));
        undo.disableProperty().bind(vm.undoManager().canUndoProperty().not());
        MenuItem redo = item("Redo", "Shortcut+Shift+Z", vm::redo);
        redo.textProperty().bind(Bindings.concat("Redo ", vm.undoManager().redoNameProperty()));
        redo.disableProperty().bind(vm.undoManager().canRedoProperty().not());
        var noSelection = sb.selectedProperty().isNull();
        MenuItem dup = item("Duplicate Cell", "Shortcut+D", sb::duplicateSelected);
        dup.disableProperty().bind(noSelection);
        MenuItem del = item("Delete Cell", "Shortcut+Shift+Delete", sb::deleteSelected);
        del.disableProperty().bind(noSelection);
        MenuItem up = item("Move Cell Up", "Alt+Up", () -> sb.moveSelected(-1));
        up.disableProperty().bind(noSelection);
        MenuItem down = item("Move Cell Down", "Alt+Down", () -> sb.moveSelected(+1));
        down.disableProperty().bind(noSelection);
        Menu edit = new Menu("Edit", null, undo, redo, new SeparatorMenuItem(),
                item("New Text Cell", "Shortcut+T", this::newText),
                item("Add Pictures…", "Shortcut+I", this::addPictures),
                item("New Sketch Cell", "Shortcut+K", () -> vm.storyboard().addSketch()),
                item("Paste Picture", "Shortcut+V", this::pastePicture),
                dup, del, up, down);

        CheckMenuItem dark = new CheckMenuItem("Dark Theme");
        dark.selectedProperty().bindBidirectional(vm.theme().darkProperty());
        Menu view = new Menu("View", null,
                item("Zoom In", "Shortcut+Equals", sb::zoomIn),
                item("Zoom Out", "Shortcut+Minus", sb::zoomOut),
                item("Actual Size", "Shortcut+Digit0", sb::zoomReset),
                new SeparatorMenuItem(), dark);

        MenuItem cont = item("Continue", "Shortcut+Enter", this::continueStory);
        cont.disableProperty().bind(sb.canGenerateBinding().not());
        MenuItem regen = item("Regenerate Cell", "Shortcut+R", this::regenerate);
        regen.disableProperty().bind(noSelection.or(sb.canGenerateBinding().not()));
        MenuItem vary = item("Vary Seed", "Shortcut+Shift+R", this::varySeed);
        vary.disableProperty().bind(noSelection.or(sb.canGenerateBinding().not()));
        MenuItem variants = item("4 Variants", "Shortcut+Alt+R", () -> {
            CellViewModel c = vm.storyboard().getSelected();
            if (c != null) {
                vm.storyboard().variants(c, 4);
            }
        });
        variants.disableProperty().bind(noSelection.or(sb.canGenerateBinding().not()));
        CheckMenuItem pause = new CheckMenuItem("Pause Queue");
        pause.setAccelerator(KeyCombination.keyCombination("Shortcut+Shift+P"));
        pause.selectedProperty().bindBidirectional(vm.queue().pausedProperty());
        MenuItem cancelAll = new MenuItem("Cancel All Jobs");
        cancelAll.setOnAction(e -> vm.queue().cancelAll());
        Menu generate = new Menu("Generate", null, cont, regen, vary, variants, new SeparatorMenuItem(), pause,
                item("Cancel Running Job", "Esc", this::cancelRunning),
                cancelAll);
        MenuItem chooseModel = item("Choose Model…", "Shortcut+M", this::chooseModel);
        chooseModel.setId("menu-choose-model");
        chooseModel.disableProperty().bind(vm.status().loadingBinding());
        Menu model = new Menu("Model", null, chooseModel);
        MenuBar bar = new MenuBar(file, edit, view, generate, model);
        bar.setId("menu");
        return bar;
    }

    private MenuItem item(String text, String accelerator, Runnable action) {
        MenuItem i = new MenuItem(text);
        i.setAccelerator(KeyCombination.keyCombination(accelerator));
        i.setOnAction(e -> action.run());
        shortcuts.put(i.getAccelerator(), () -> {
            if (!i.isDisable()) {
                action.run();
            }
        });
        return i;
    }

    private FlowPane toolbar() {
        StoryboardViewModel sb = vm.storyboard();
        GenerationSettings s = sb.settings();
        Button cont = new Button("Continue ▶");
        cont.setId("continue");
        cont.getStyleClass().add(Styles.ACCENT_BUTTON);
        cont.setTooltip(new Tooltip("Write what comes next after the selected cell (Ctrl+Enter)"));
        cont.disableProperty().bind(sb.canGenerateBinding().not());
        cont.setOnAction(e -> continueStory());

        TextField seed = new TextField();
        seed.setId("seed");
        seed.setPrefColumnCount(9);
        TextFormatter<Long> seedFormat = new TextFormatter<>(new LongStringConverter(), s.seedProperty().get(),
                c -> c.getControlNewText().matches("\\d{0,18}") ? c : null);
        seed.setTextFormatter(seedFormat);
        ObjectProperty<Long> seedValue = s.seedProperty().asObject();
        strongRefs.add(seedValue);
        seedFormat.valueProperty().bindBidirectional(seedValue);
        CheckBox random = new CheckBox("new");
        random.setTooltip(new Tooltip("A new seed for every Continue"));
        random.setId("random-seed");
        random.selectedProperty().bindBidirectional(s.randomSeedProperty());

        Spinner<Integer> steps = intSpinner("steps", 1, 1000, s.stepsProperty());
        Spinner<Double> guidance = new Spinner<>(1.0, 20.0, s.guidanceProperty().get(), 0.5);
        guidance.setId("guidance");
        guidance.setEditable(true);
        guidance.setPrefWidth(70);
        ObjectProperty<Double> g = s.guidanceProperty().asObject();
        strongRefs.add(g);
        guidance.getValueFactory().valueProperty().bindBidirectional(g);
        Spinner<Integer> tokens = intSpinner("max-tokens", 1, 512, s.maxTokensProperty());
        Spinner<Integer> pictures = intSpinner("pictures", 0, 8, s.imagesPerContinueProperty());
        ChoiceBox<SchedulerKind> sampler = new ChoiceBox<>();
        sampler.setId("sampler");
        sampler.getItems().setAll(SchedulerKind.values());
        sampler.setConverter(new StringConverter<>() {
            @Override
            public String toString(SchedulerKind k) {
                return k == null ? "" : switch (k) {
                    case DDPM -> "DDPM";
                    case DDIM -> "DDIM";
                    case DPM_SOLVER_PP_2M -> "DPM++ 2M";
                };
            }

            @Override
            public SchedulerKind fromString(String string) {
                return SchedulerKind.parse(string);
            }
        });
        sampler.valueProperty().bindBidirectional(s.schedulerProperty());

        Label zoom = new Label();
        zoom.setId("zoom");
        zoom.textProperty().bind(Bindings.createStringBinding(() -> Math.round(sb.zoomProperty().get() * 100)
                + "%", sb.zoomProperty()));
        zoom.setTooltip(new Tooltip("Zoom (Ctrl+= / Ctrl+- / Ctrl+0)"));

        FlowPane bar = new FlowPane(8, 4, cont, new Separator(Orientation.VERTICAL),
                label("Seed"), seed, random, label("Steps"), steps, label("Guidance"), guidance,
                label("Sampler"), sampler, label("Tokens"), tokens, label("Pictures"), pictures,
                new Separator(Orientation.VERTICAL), zoom);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.getStyleClass().add(Styles.TOOLBAR);
        return bar;
    }

    private Spinner<Integer> intSpinner(String id, int min, int max, javafx.beans.property.IntegerProperty p) {
        Spinner<Integer> sp = new Spinner<>(min, max, p.get());
        sp.setId(id);
        sp.setEditable(true);
        sp.setPrefWidth(70);
        ObjectProperty<Integer> o = p.asObject();
        strongRefs.add(o);
        sp.getValueFactory().valueProperty().bindBidirectional(o);
        return sp;
    }

    private static Label label(String s) {
        Label l = new Label(s);
        l.getStyleClass().add(Styles.MUTED);
        return l;
    }

    // ------------------------------------------------------------------ keyboard

    private void shortcuts() {
        // Undo/redo go to the studio's history, not the text area's own: filtered before the text area sees them
        shortcuts.put(new KeyCodeCombination(KeyCode.Y, KeyCombination.SHORTCUT_DOWN), vm::redo);
        shortcuts.put(new KeyCodeCombination(KeyCode.PLUS, KeyCombination.SHORTCUT_DOWN), vm.storyboard()::zoomIn);
        shortcuts.put(new KeyCodeCombination(KeyCode.ADD, KeyCombination.SHORTCUT_DOWN), vm.storyboard()::zoomIn);
        shortcuts.put(new KeyCodeCombination(KeyCode.SUBTRACT, KeyCombination.SHORTCUT_DOWN),
                vm.storyboard()::zoomOut);
        shortcuts.put(new KeyCodeCombination(KeyCode.BACK_SPACE, KeyCombination.SHORTCUT_DOWN,
                KeyCombination.SHIFT_DOWN), vm.storyboard()::deleteSelected);
        shortcuts.put(new KeyCodeCombination(KeyCode.UP, KeyCombination.SHORTCUT_DOWN), () -> selectNext(-1));
        shortcuts.put(new KeyCodeCombination(KeyCode.DOWN, KeyCombination.SHORTCUT_DOWN), () -> selectNext(+1));
    }

    private void shortcut(KeyEvent e) {
        for (Map.Entry<KeyCombination, Runnable> s : shortcuts.entrySet()) {
            if (s.getKey().match(e)) {
                if (s.getKey().equals(KeyCombination.keyCombination("Shortcut+V")) && !clipboardHasPicture()) {
                    return; // ordinary text paste
                }
                if (s.getKey().equals(KeyCombination.keyCombination("Esc")) && vm.jobQueue().runningProperty()
                        .get() == null) {
                    return;
                }
                s.getValue().run();
                e.consume();
                return;
            }
        }
    }

    private void selectNext(int delta) {
        List<CellViewModel> cells = vm.storyboard().cells();
        if (cells.isEmpty()) {
            return;
        }
        int i = cells.indexOf(vm.storyboard().getSelected());
        int j = i < 0 ? (delta > 0 ? 0 : cells.size() - 1) : Math.max(0, Math.min(cells.size() - 1, i + delta));
        vm.storyboard().select(cells.get(j));
        storyboard.focus(cells.get(j));
    }

    // ------------------------------------------------------------------ actions

    private void continueStory() {
        vm.storyboard().continueStory();
    }

    private void regenerate() {
        CellViewModel c = vm.storyboard().getSelected();
        if (c != null) {
            vm.storyboard().regenerate(c);
        }
    }

    private void varySeed() {
        CellViewModel c = vm.storyboard().getSelected();
        if (c != null) {
            vm.storyboard().varySeed(c);
        }
    }

    private void cancelRunning() {
        GenerationJob j = vm.jobQueue().runningProperty().get();
        if (j != null) {
            vm.queue().cancel(j);
        }
    }

    /**
     * Model > Choose Model…: the folder and device, with the memory estimate; Load loads it in the background (the
     * status bar's progress bar, then model, device and memory; a refusal is a dialog and the loaded model stays).
     */
    private void chooseModel() {
        new ModelDialogView(vm.modelDialog(), dialogs).showAndLoad(stage);
    }

    private void newText() {
        CellViewModel c = vm.storyboard().addText("");
        storyboard.focus(c);
    }

    private void addPictures() {
        List<Path> files = dialogs.choosePictures();
        if (!files.isEmpty()) {
            vm.storyboard().importImages(files, -1);
        }
    }

    private static boolean clipboardHasPicture() {
        Clipboard cb = Clipboard.getSystemClipboard();
        return cb.hasImage() || (cb.hasFiles() && cb.getFiles().stream().anyMatch(f ->
                ImageFiles.looksLikeImage(f.toPath())));
    }

    private void pastePicture() {
        Clipboard cb = Clipboard.getSystemClipboard();
        if (cb.hasFiles()) {
            List<Path> files = cb.getFiles().stream().map(File::toPath).filter(ImageFiles::looksLikeImage).toList();
            if (!files.isEmpty()) {
                vm.storyboard().importImages(files, -1);
                return;
            }
        }
        if (cb.hasImage()) {
            try {
                vm.storyboard().addImages(List.of(FxImages.fromFx(cb.getImage())));
            } catch (IllegalArgumentException e) {
                vm.notifier().publish(Notification.warning("Cannot paste the picture", e.getMessage()));
            }
        } else {
            vm.notifier().publish(Notification.info("Nothing to paste", "The clipboard holds no picture."));
        }
    }

    // ------------------------------------------------------------------ files

    /** Runs {@code then} once unsaved changes are saved or let go; does nothing if the user cancels. */
    public void whenChangesSettled(Runnable then) {
        if (!vm.project().isDirty()) {
            then.run();
            return;
        }
        switch (dialogs.askSaveChanges(vm.project().displayName())) {
            case SAVE -> save(ok -> {
                if (ok) {
                    then.run();
                }
            });
            case DISCARD -> then.run();
            case CANCEL -> { }
        }
    }

    private void newProject() {
        whenChangesSettled(() -> vm.project().newProject());
    }

    private void open() {
        whenChangesSettled(() -> dialogs.chooseProjectToOpen().ifPresent(p -> vm.project().open(p)));
    }

    private void openRecent(Path p) {
        whenChangesSettled(() -> {
            if (!Files.isRegularFile(p)) {
                vm.project().forgetRecent(p);
                vm.notifier().publish(Notification.warning("Cannot open " + p.getFileName(),
                        p + " no longer exists; it was removed from the recent list."));
                return;
            }
            vm.project().open(p);
        });
    }

    private void save(Consumer<Boolean> after) {
        var f = vm.project().save();
        if (f == null) {
            saveAs(after);
        } else {
            f.thenAccept(after);
        }
    }

    private void saveAs(Consumer<Boolean> after) {
        String name = vm.project().getFile() == null ? "story.weft" : vm.project().displayName();
        dialogs.chooseProjectToSave(name).ifPresentOrElse(p -> vm.project().saveAs(p).thenAccept(after),
                () -> after.accept(false));
    }

    /** Closing: asks about unsaved changes, then closes cleanly (no recovery file left). */
    public void requestClose() {
        whenChangesSettled(() -> {
            vm.project().closeCleanly();
            dispose();
            if (stage != null) {
                stage.hide();
            }
        });
    }
}
