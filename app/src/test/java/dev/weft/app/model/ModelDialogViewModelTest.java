package dev.weft.app.model;

import ai.djl.Device;
import dev.weft.app.common.UiThread;
import dev.weft.app.service.EngineService;
import dev.weft.engine.memory.MemoryProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model dialog's ViewModel: the memory estimate of a folder's config on the chosen device against what is free,
 * the problems that disable Load (no folder, no config, no GPU), and Load handing folder and device to the service.
 * No model is loaded: the stub loader records what it was asked.
 */
class ModelDialogViewModelTest {
    static final Path TINY = Path.of("../assets/tiny");
    static final MemoryProbe PLENTY = MemoryProbe.fixed(64L << 30, 80L << 30);

    record Call(Path dir, Device device) { }

    final List<Call> calls = new ArrayList<>();
    final EngineService service = new EngineService(Runnable::run, UiThread.direct(), (dir, dev, p) -> {
        calls.add(new Call(dir, dev));
        throw new IllegalStateException("stub loader");
    }, true);

    @Test
    void theTinyModelsEstimateOnTheCpu() {
        ModelDialogViewModel vm = new ModelDialogViewModel(service, PLENTY, () -> 0, TINY,
                ModelDialogViewModel.Target.CPU);
        assertEquals("", vm.problemProperty().get());
        assertTrue(vm.canLoadBinding().get());
        String e = vm.estimateProperty().get();
        assertTrue(e.startsWith("tiny: 1,260,161 parameters, 4.8 MiB of fp32 weights; needs ~"), e);
        assertTrue(e.endsWith(" of memory to load and paint (a short document). Free now: 64.0 GiB."), e);
        assertEquals("", vm.warningProperty().get());
    }

    @Test
    void tooLittleFreeMemoryWarnsButDoesNotDisableLoad() {
        ModelDialogViewModel vm = new ModelDialogViewModel(service, MemoryProbe.fixed(100L << 20, -1), () -> 0, TINY,
                ModelDialogViewModel.Target.CPU);
        String w = vm.warningProperty().get();
        assertTrue(w.startsWith("tiny needs ~"), w);
        assertTrue(w.contains("of host memory, 100.0 MiB available"), w);
        assertTrue(w.endsWith("Loading will be refused."), w);
        assertTrue(vm.canLoadBinding().get(), "the engine itself refuses; the dialog only warns");
    }

    @Test
    void aGpuNeedsOneVisibleAndIsEstimatedOnTheDevice(@TempDir Path dir) throws Exception {
        Path big = Files.createDirectories(dir.resolve("mmi"));
        Files.copy(Path.of("../engine/training/configs/mm-interleaved-13b.json"), big.resolve("config.json"));
        ModelDialogViewModel none = new ModelDialogViewModel(service, PLENTY, () -> 0, big,
                ModelDialogViewModel.Target.GPU);
        assertTrue(none.problemProperty().get().startsWith("No CUDA GPU is visible to DJL"),
                none.problemProperty().get());
        assertFalse(none.canLoadBinding().get());
        none.deviceProperty().set(ModelDialogViewModel.Target.CPU);
        assertEquals("", none.problemProperty().get());

        ModelDialogViewModel one = new ModelDialogViewModel(service, MemoryProbe.fixed(64L << 30, 24L << 30), () -> 1,
                big, ModelDialogViewModel.Target.GPU);
        assertTrue(one.canLoadBinding().get());
        assertTrue(one.estimateProperty().get().contains("14,912,865,567 parameters, 27.9 GiB of fp16 weights; needs ~"),
                one.estimateProperty().get());
        assertTrue(one.estimateProperty().get().contains("GiB of GPU memory and ~"), one.estimateProperty().get());
        assertTrue(one.warningProperty().get().contains("of GPU memory on gpu(0) besides its CUDA context, 24.0 GiB available"),
                one.warningProperty().get());
    }

    @Test
    void aFolderWithoutAConfigCannotBeLoaded(@TempDir Path dir) {
        ModelDialogViewModel vm = new ModelDialogViewModel(service, PLENTY, () -> 0, null,
                ModelDialogViewModel.Target.CPU);
        assertTrue(vm.problemProperty().get().startsWith("Choose a model folder"));
        assertFalse(vm.canLoadBinding().get());
        assertThrows(IllegalStateException.class, vm::load);
        vm.folderProperty().set(dir);
        assertEquals(dir.resolve("config.json") + ": config file not found", vm.problemProperty().get());
        vm.folderProperty().set(dir.resolve("nope"));
        assertTrue(vm.problemProperty().get().endsWith("nope: no such folder."));
        assertTrue(calls.isEmpty());
    }

    @Test
    void loadHandsFolderAndDeviceToTheService() {
        ModelDialogViewModel vm = new ModelDialogViewModel(service, PLENTY, () -> 0, TINY,
                ModelDialogViewModel.Target.CPU);
        vm.load();
        assertEquals(List.of(new Call(TINY, Device.cpu())), calls);
        assertEquals(EngineService.State.FAILED, service.stateProperty().get());
        assertTrue(service.messageProperty().get().contains("stub loader"));
    }
}
