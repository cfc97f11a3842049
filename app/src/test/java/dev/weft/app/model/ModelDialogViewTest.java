package dev.weft.app.model;

import dev.weft.app.common.UiThread;
import dev.weft.app.service.EngineService;
import dev.weft.app.testing.Fx;
import dev.weft.app.testing.ScriptedDialogs;
import dev.weft.engine.memory.MemoryProbe;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model dialog's controls follow its ViewModel: Choose… fills the folder, Load is enabled only when it can load. */
class ModelDialogViewTest {
    @BeforeAll
    static void fx() {
        Fx.start();
    }

    static <T> T onFx(java.util.concurrent.Callable<T> c) throws Exception {
        return UiThread.callOnFx(c, 30);
    }

    @Test
    void chooseFillsTheFolderAndEnablesLoad() throws Exception {
        ScriptedDialogs dialogs = new ScriptedDialogs();
        dialogs.files.add(Path.of("../assets/tiny"));
        EngineService service = new EngineService(Runnable::run, UiThread.direct(), (d, dev, p) -> {
            throw new IllegalStateException("not in this test");
        }, true);
        String result = onFx(() -> {
            ModelDialogViewModel vm = new ModelDialogViewModel(service, MemoryProbe.fixed(-1, -1), () -> 0, null,
                    ModelDialogViewModel.Target.CPU);
            ModelDialogView v = new ModelDialogView(vm, dialogs);
            Node pane = v.dialog().getDialogPane();
            Node load = v.dialog().getDialogPane().lookupButton(ModelDialogView.LOAD);
            boolean disabledBefore = load.isDisabled();
            String warningBefore = ((Label) pane.lookup("#model-warning")).getText();
            ((Button) pane.lookup("#model-choose")).fire();
            @SuppressWarnings("unchecked")
            ComboBox<ModelDialogViewModel.Target> device = (ComboBox<ModelDialogViewModel.Target>)
                    pane.lookup("#model-device");
            device.setValue(ModelDialogViewModel.Target.GPU);
            boolean disabledOnGpu = load.isDisabled();
            String gpuWarning = ((Label) pane.lookup("#model-warning")).getText();
            device.setValue(ModelDialogViewModel.Target.CPU);
            return disabledBefore + "|" + warningBefore + "|" + load.isDisabled() + "|"
                    + ((Label) pane.lookup("#model-estimate")).getText() + "|" + disabledOnGpu + "|" + gpuWarning;
        });
        String[] r = result.split("\\|");
        assertEquals("true", r[0]);
        assertTrue(r[1].startsWith("Choose a model folder"), r[1]);
        assertEquals("false", r[2]);
        assertTrue(r[3].startsWith("tiny: 1,260,161 parameters"), r[3]);
        assertEquals("true", r[4]);
        assertTrue(r[5].startsWith("No CUDA GPU is visible"), r[5]);
    }
}
