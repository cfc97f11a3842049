package dev.weft.app.project;

import dev.weft.app.StudioViewModel;
import dev.weft.app.common.Notification;
import dev.weft.app.common.UiThread;
import dev.weft.app.service.EngineService;
import dev.weft.app.storyboard.CellViewModel;
import dev.weft.app.storyboard.StoryboardViewModel;
import dev.weft.app.testing.Fx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** New, save, open, the title marker, refusing bad files, and recovery after a crash, through the ViewModel. */
class ProjectViewModelTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void fx() {
        Fx.start();
    }

    /** A studio session; {@code pid} names its recovery file, and no other session counts as alive. */
    private StudioViewModel session(long pid) {
        return StudioViewModel.builder().ui(UiThread.direct()).generation(Runnable::run).io(Runnable::run)
                .engine(new EngineService(Runnable::run, UiThread.direct())).configDir(dir.resolve("config"))
                .recovery(new Recovery(dir.resolve("config/recovery"), pid, p -> false)).build();
    }

    private static void fill(StoryboardViewModel sb) {
        sb.addText("Chapter one");
        sb.addImages(List.of(ProjectFileTest.picture(3), ProjectFileTest.picture(4)));
        CellViewModel t = sb.addText("The fox");
        sb.editText(t, "The fox ran.");
    }

    @Test
    void saveAndReopenGiveIdenticalContent() throws Exception {
        StudioViewModel a = session(1);
        fill(a.storyboard());
        a.storyboard().settings().stepsProperty().set(11);
        assertEquals("Weft — Untitled •", a.project().titleBinding().get());
        assertNull(a.project().save(), "no file yet: the View asks where (Save As)");
        Path f = dir.resolve("fox");
        assertTrue(a.project().saveAs(f).join());
        Path saved = dir.resolve("fox.weft");
        assertEquals(saved.toAbsolutePath(), a.project().getFile());
        assertEquals("Weft — fox.weft", a.project().titleBinding().get());
        assertFalse(a.project().isDirty());
        assertEquals(List.of(saved.toAbsolutePath()), a.project().recent());

        StudioViewModel b = session(2);
        assertTrue(b.project().open(saved).join());
        ProjectFileTest.assertSameProject(a.storyboard().toProject(), b.storyboard().toProject());
        assertEquals(11, b.storyboard().settings().stepsProperty().get());
        assertFalse(b.project().isDirty());
        assertEquals(List.of(saved.toAbsolutePath()), b.project().recent(), "recent files are shared settings");

        b.storyboard().addText("more");
        assertTrue(b.project().isDirty());
        assertTrue(b.project().save().join());
        assertFalse(b.project().isDirty());
        b.undo();
        assertTrue(b.project().isDirty(), "undoing past the save point is a change");
    }

    @Test
    void theRecentFilesListTellsItsListenersAboutNewFiles() {
        StudioViewModel a = session(1);
        java.util.concurrent.atomic.AtomicInteger changes = new java.util.concurrent.atomic.AtomicInteger();
        // as the Open Recent menu does: it keeps no reference to the list it listens to
        a.project().recent().addListener((javafx.collections.ListChangeListener<Path>) ch ->
                changes.incrementAndGet());
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        a.storyboard().addText("a red circle.");
        assertTrue(a.project().saveAs(dir.resolve("one.weft")).join());
        assertTrue(changes.get() >= 1, "the menu hears of the saved file");
    }

    @Test
    void badFileGivesAnErrorAndLeavesTheStoryboardAlone() throws Exception {
        StudioViewModel s = session(1);
        fill(s.storyboard());
        Project before = s.storyboard().toProject();
        Path bad = dir.resolve("bad.weft");
        Files.writeString(bad, "garbage");
        assertFalse(s.project().open(bad).join());
        Notification n = s.notifier().last();
        assertEquals(Notification.Level.ERROR, n.level());
        assertTrue(n.message().contains("damaged"), n.message());
        ProjectFileTest.assertSameProject(before, s.storyboard().toProject());
        assertTrue(s.project().isDirty());
        assertNull(s.project().getFile());
        assertArrayEquals("garbage".getBytes(), Files.readAllBytes(bad));
    }

    @Test
    void aZipSlipProjectIsRefusedAndNothingIsWrittenOrChanged() throws Exception {
        StudioViewModel s = session(1);
        fill(s.storyboard());
        Project before = s.storyboard().toProject();
        Path evil = ProjectFileTest.zipSlip(dir.resolve("evil.weft"));
        byte[] bytes = Files.readAllBytes(evil);
        assertFalse(s.project().open(evil).join());
        Notification n = s.notifier().last();
        assertEquals(Notification.Level.ERROR, n.level());
        assertEquals("Cannot open evil.weft", n.title());
        assertTrue(n.message().contains("points outside the project") && n.message().contains("../../evil.sh"),
                n.message());
        ProjectFileTest.assertSameProject(before, s.storyboard().toProject());
        assertNull(s.project().getFile());
        assertArrayEquals(bytes, Files.readAllBytes(evil));
        assertFalse(Files.exists(dir.resolve("../../evil.sh").normalize()), "nothing was extracted");
    }

    @Test
    void recoveryAfterASimulatedCrash() throws Exception {
        Path saved = dir.resolve("story.weft");
        StudioViewModel crashed = session(1);
        fill(crashed.storyboard());
        crashed.project().saveAs(saved).join();
        crashed.storyboard().addText("unsaved words");
        assertTrue(crashed.project().autosave().join());
        assertFalse(crashed.project().autosave().join(), "nothing new since the last autosave");
        Project lost = crashed.storyboard().toProject();
        // the process dies here: no close, no cleanup

        StudioViewModel next = session(2);
        next.project().checkRecovery();
        Recovery.Found f = next.project().recoveryOfferProperty().get();
        assertNotNull(f, "the autosave of the dead session is offered");
        assertEquals(saved.toAbsolutePath(), f.originalFile());
        assertTrue(next.project().recoveryQuestion().contains("story.weft"));
        assertTrue(next.project().restoreRecovery().join());
        ProjectFileTest.assertSameProject(lost, next.storyboard().toProject());
        assertTrue(next.project().isDirty(), "recovered work is unsaved");
        assertEquals(saved.toAbsolutePath(), next.project().getFile(), "Save writes back to the original file");
        assertFalse(Files.exists(dir.resolve("config/recovery/autosave-1.weft")), "the old autosave is gone");
        assertTrue(Files.exists(dir.resolve("config/recovery/autosave-2.weft")), "kept safe under this session");

        next.project().save().join();
        ProjectFileTest.assertSameProject(lost, ProjectFile.read(saved));
        next.project().autosave().join();
        next.project().closeCleanly();
        StudioViewModel third = session(3);
        third.project().checkRecovery();
        assertNull(third.project().recoveryOfferProperty().get(), "a clean exit leaves nothing to recover");
    }

    @Test
    void declinedRecoveryIsDeleted() {
        StudioViewModel crashed = session(1);
        crashed.storyboard().addText("lost?");
        crashed.project().autosave().join();
        StudioViewModel next = session(2);
        next.project().checkRecovery();
        assertNotNull(next.project().recoveryOfferProperty().get());
        next.project().discardRecovery();
        assertNull(next.project().recoveryOfferProperty().get());
        StudioViewModel third = session(3);
        third.project().checkRecovery();
        assertNull(third.project().recoveryOfferProperty().get());
    }
}
