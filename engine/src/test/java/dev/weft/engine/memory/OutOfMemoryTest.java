package dev.weft.engine.memory;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.weft.engine.testing.NativeTests;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Out-of-memory failures become one line that says what ran out and what to do; other failures are left alone. */
class OutOfMemoryTest {
    /** What libtorch 2.7.1 threw on an H200 (weft bench on the 13b with 32,255 MiB of the GPU free, docs/gpu-guide.md). */
    static final String CUDA = "CUDA out of memory. Tried to allocate 80.00 MiB. GPU 0 has a total capacity of 139.80 GiB "
            + "of which 25.56 MiB is free. Process 1455 has 108.29 GiB memory in use. Including non-PyTorch memory, this "
            + "process has 31.47 GiB memory in use. Of the allocated memory 30.74 GiB is allocated by PyTorch, and 53.01 "
            + "MiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting "
            + "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory "
            + "Management  (https://docs.pytorch.org/docs/stable/notes/cuda.html#optimizing-memory-usage-with-pytorch-cuda-alloc-conf)";

    @Test
    void cudaOutOfMemorySaysHowMuchWasAskedAndFree() {
        String line = OutOfMemory.explain(new RuntimeException("engine failed", new EngineException(CUDA))).orElseThrow();
        assertTrue(line.startsWith("the GPU ran out of memory (it could not allocate 80.00 MiB, 25.56 MiB of 139.80 GiB "
                + "free): "), line);
        assertTrue(line.contains("weft info --device gpu --tokens N --images K"), line);
    }

    /** A real failure of libtorch's CPU allocator: 4 TiB of fp32 cannot be had on any machine this runs on. */
    @Test
    void theCpuAllocatorsFailureIsExplained() {
        NativeTests.assumeNative();
        try (NDManager m = NDManager.newBaseManager()) {
            EngineException e = assertThrows(EngineException.class, () -> m.zeros(new Shape(1L << 40)));
            String line = OutOfMemory.explain(e).orElseThrow(() -> new AssertionError(e.getMessage()));
            assertEquals("this computer ran out of memory (libtorch could not allocate 4096.0 GiB): close other programs, "
                    + "or use a shorter document or a smaller model; `weft info --tokens N --images K` estimates what a "
                    + "document needs", line);
        }
    }

    @Test
    void javaHeapAndOtherFailures() {
        assertTrue(OutOfMemory.explain(new OutOfMemoryError("Java heap space")).orElseThrow()
                .startsWith("Java ran out of memory (Java heap space): raise its limit"));
        assertTrue(OutOfMemory.explain(new IllegalStateException("bad shape")).isEmpty());
        assertTrue(OutOfMemory.explain(new RuntimeException((String) null)).isEmpty());
    }
}
