package dev.weft.engine.weights.torch;

import dev.weft.engine.weights.Checkpoints;
import dev.weft.engine.weights.WeightsException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Malicious pickles: each asks torch.load to run a command; the reader must refuse at the global, naming it, before
 * reading anything further (there is nothing in Java that could run it; the point is that the refusal is immediate
 * and clear). The pickles are built here byte by byte, and two come from Python ({@code evil/*.bin}, written by
 * {@code export_torch_ckpt.py} with a real {@code torch.save}).
 */
class TorchPickleSecurityTest {
    static final Path EVIL = TorchCheckpointTest.DIR.resolve("evil");
    static final String MARKER = "weft-pwned.txt";

    /** A rebuilder that must never be reached: the refusal comes first. */
    static final Pickle.Rebuilder UNREACHABLE = new Pickle.Rebuilder() {
        @Override
        public Object storage(Pickle.Tuple pid) {
            return fail("storage rebuilt after a refused global");
        }

        @Override
        public Object tensor(Pickle.Tuple args) {
            return fail("tensor rebuilt after a refused global");
        }
    };

    static String refusal(byte[] pickle) {
        return assertThrows(WeightsException.class, () -> Pickle.load(pickle, "model.bin", UNREACHABLE)).getMessage();
    }

    @Test
    void osSystemThroughGlobalIsRefusedByName() {
        byte[] p = new TorchFiles.PickleBytes().proto(2).global("os", "system").str("touch " + MARKER).op(0x85)
                .reduce().stop().bytes();
        assertEquals("model.bin: refuses pickle global os.system (only tensor rebuilding is allowed)", refusal(p));
    }

    @Test
    void builtinsEvalThroughGlobalIsRefusedByName() {
        byte[] p = new TorchFiles.PickleBytes().proto(2).emptyDict().str("w").global("builtins", "eval")
                .str("__import__('os').system('touch " + MARKER + "')").op(0x85).reduce().setitem().stop().bytes();
        assertEquals("model.bin: refuses pickle global builtins.eval (only tensor rebuilding is allowed)", refusal(p));
    }

    @Test
    void builtinExecThroughStackGlobalIsRefusedByName() {
        // protocol 4: FRAME, SHORT_BINUNICODE module, MEMOIZE, SHORT_BINUNICODE name, MEMOIZE, STACK_GLOBAL
        byte[] p = new TorchFiles.PickleBytes().proto(4).op(0x95, 40, 0, 0, 0, 0, 0, 0, 0)
                .shortStr("__builtin__").op(0x94).shortStr("exec").op(0x94).op(0x93)
                .shortStr("import os; os.system('touch " + MARKER + "')").op(0x94).op(0x85).reduce().stop().bytes();
        assertEquals("model.bin: refuses pickle global __builtin__.exec (only tensor rebuilding is allowed)",
                refusal(p));
    }

    @Test
    void theRefusalComesBeforeAnyFurtherParsing() {
        // after the global: an opcode that does not exist and no STOP; a parser that went on would fail differently
        byte[] p = new TorchFiles.PickleBytes().proto(2).global("subprocess", "Popen").op(0xff, 0xfe).bytes();
        assertEquals("model.bin: refuses pickle global subprocess.Popen (only tensor rebuilding is allowed)",
                refusal(p));
        // a tensor pickle whose storage type is a harmful global: refused before the storage is rebuilt
        byte[] q = new TorchFiles.PickleBytes().proto(2).emptyDict().str("w")
                .global("torch._utils", "_rebuild_tensor_v2").mark().mark().str("storage").global("os", "system")
                .bytes();
        assertEquals("model.bin: refuses pickle global os.system (only tensor rebuilding is allowed)", refusal(q));
    }

    @Test
    void otherWaysToConstructOrCallAreRefused() {
        // INST names its class inline
        byte[] inst = new TorchFiles.PickleBytes().proto(2).mark().op('i')
                .raw("os\nsystem\n".getBytes()).stop().bytes();
        assertTrue(refusal(inst).contains("refuses pickle global os.system"));
        // calling an allowed name that is not a function: a storage class
        byte[] call = new TorchFiles.PickleBytes().proto(2).global("torch", "FloatStorage").emptyTuple().reduce()
                .stop().bytes();
        assertTrue(refusal(call).contains("calling torch.FloatStorage is not allowed"), refusal(call));
        // NEWOBJ of anything but OrderedDict, extension codes, OBJ
        assertTrue(refusal(new TorchFiles.PickleBytes().proto(2).op(0x82, 1).stop().bytes()).contains("EXT1"));
        assertTrue(refusal(new TorchFiles.PickleBytes().proto(2).mark().op('o').stop().bytes()).contains("OBJ"));
        // a storage type we do not read is named as such
        byte[] dbl = new TorchFiles.PickleBytes().proto(2).global("torch", "DoubleStorage").stop().bytes();
        assertTrue(refusal(dbl).contains("tensor storage type torch.DoubleStorage is not supported"), refusal(dbl));
        // protocol-0 text opcodes are not what torch writes
        assertTrue(refusal(new TorchFiles.PickleBytes().proto(2).op('I').raw("1\n".getBytes()).stop().bytes())
                .contains("unsupported pickle opcode 0x49 ('I')"));
    }

    @Test
    void torchSaveFilesFromPythonAreRefusedWithTheGlobalNamed() {
        WeightsException e = assertThrows(WeightsException.class, () -> Checkpoints.open(EVIL.resolve("posix_system.bin")));
        assertEquals(EVIL.resolve("posix_system.bin") + ": refuses pickle global posix.system "
                + "(only tensor rebuilding is allowed)", e.getMessage());
        e = assertThrows(WeightsException.class, () -> TorchWeights.open(EVIL.resolve("builtins_eval.bin")));
        // Python 3 writes builtins as __builtin__ in protocol 2 (fix_imports)
        assertTrue(e.getMessage().endsWith(": refuses pickle global __builtin__.eval (only tensor rebuilding is allowed)"),
                e.getMessage());
        System.out.println("refused: " + e.getMessage());
    }

    @Test
    void aRefusedArchiveInAFolderFailsTheWholeLoad(@TempDir Path dir) throws Exception {
        Files.copy(TorchCheckpointTest.DIR.resolve("pytorch_model-00001-of-00002.bin"),
                dir.resolve("pytorch_model-00001-of-00002.bin"));
        byte[] p = new TorchFiles.PickleBytes().proto(2).global("os", "system").str("touch " + MARKER).op(0x85)
                .reduce().stop().bytes();
        TorchFiles.zip(dir.resolve("pytorch_model-00002-of-00002.bin"), "pytorch_model-00002-of-00002", p, Map.of(),
                false, "little");
        WeightsException e = assertThrows(WeightsException.class, () -> Checkpoints.open(dir));
        assertTrue(e.getMessage().contains("pytorch_model-00002-of-00002.bin: refuses pickle global os.system"),
                e.getMessage());
        assertFalse(Files.exists(dir.resolve(MARKER)));
    }

    @AfterAll
    static void nothingRan() {
        assertFalse(Files.exists(Path.of(MARKER)), "a marker file appeared in the working directory");
    }
}
