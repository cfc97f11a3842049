package dev.weft.engine.weights;

import dev.weft.engine.weights.torch.TorchWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TensorScan}: sums over memory-mapped windows in element order. On the torch.save fixture (fp32, bf16, fp16,
 * transposed and channels-last views, shared storages at offsets) every window size gives the same checksum as the
 * values the engine's reader converts; past 2 GiB, a sparse file holds a tensor that starts beyond 2^31 and one whose
 * data span over 2 GiB, which no single mapping could hold.
 */
class TensorScanTest {
    static final Path CKPT = Path.of("src/test/resources/fixtures/torch_ckpt");

    /** Neumaier sums of the reader's fp32 values, for an independent reference. */
    static double[] sums(FloatBuffer f) {
        double s = 0;
        double c = 0;
        double a = 0;
        double ac = 0;
        for (int i = 0; i < f.limit(); i++) {
            double v = f.get(i);
            double t = s + v;
            c += Math.abs(s) >= Math.abs(v) ? (s - t) + v : (v - t) + s;
            s = t;
            double u = a + Math.abs(v);
            ac += a >= Math.abs(v) ? (a - u) + Math.abs(v) : (Math.abs(v) - u) + a;
            a = u;
        }
        return new double[] {s + c, a + ac};
    }

    @Test
    void everyWindowSizeAgreesWithTheReadersValuesOnTheFixture() {
        int tensors = 0;
        int views = 0;
        try (TorchWeights w = TorchWeights.open(CKPT)) {
            for (TensorInfo t : w.tensors().values()) {
                RawTensor raw = w.rawTensor(t.name());
                if (!raw.isContiguous() || raw.offset() != 0) {
                    views++;
                }
                FloatBuffer f = w.float32(t.name()).asFloatBuffer();
                double[] want = sums(f);
                float[] head = new float[(int) Math.min(8, t.numel())];
                f.get(0, head);
                for (int window : new int[] {TensorScan.WINDOW, 4096, 64, 24, 8}) {
                    TensorScan.Checksum c = TensorScan.checksum(raw, 8, window);
                    String where = t.name() + " window " + window;
                    assertEquals(t.numel(), c.count(), where);
                    assertEquals(want[0], c.sum(), 0.0, where);
                    assertEquals(want[1], c.absSum(), 0.0, where);
                    assertArrayEquals(head, c.head(), where);
                }
                tensors++;
            }
        }
        assertEquals(861, tensors);
        assertTrue(views >= 6, "the fixture's transposed and shared-storage views are exercised: " + views);
    }

    @Test
    void windowsMustBeAMultipleOfEveryElementSize() {
        try (TorchWeights w = TorchWeights.open(CKPT)) {
            RawTensor raw = w.rawTensor("context_feat_proj.bias");
            assertThrows(IllegalArgumentException.class, () -> TensorScan.checksum(raw, 8, 12));
        }
    }

    @Test
    void tensorsPastTwoGibibytesInASparseFile(@TempDir Path dir) throws IOException {
        Path p = dir.resolve("sparse.raw");
        long bigStart = (1L << 30) + 8;                   // a tensor of 2^29 + 4 floats: 2 GiB + 16 bytes of data
        long bigNumel = (1L << 29) + 4;
        long lateStart = (3L << 30) + 64;                 // a small tensor starting past 2^31 (and 3 GiB)
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.SPARSE)) {
            put(ch, bigStart, 1.5f, -2f, 0.25f);
            put(ch, bigStart + (bigNumel - 4) * 4, 3f, -4f, 5f, 6.5f);
            put(ch, lateStart, 7f, -8f, 9f, 10f, 11f, 12f);
        }
        assertTrue(Files.size(p) > (3L << 30));
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            RawTensor late = RawTensor.contiguous("sparse", ch, lateStart, DType.F32, new long[] {2, 3});
            TensorScan.Checksum c = TensorScan.checksum(late, 8);
            assertEquals(41.0, c.sum(), 0.0);
            assertEquals(57.0, c.absSum(), 0.0);
            assertArrayEquals(new float[] {7f, -8f, 9f, 10f, 11f, 12f}, c.head());

            // transposed view of the same 6 values: stored (2, 3), viewed (3, 2)
            RawTensor t = new RawTensor("sparse", ch, lateStart, DType.F32, 0, new long[] {3, 2}, new long[] {1, 3});
            assertArrayEquals(new float[] {7f, 10f, -8f, 11f, 9f, 12f}, TensorScan.checksum(t, 8).head());

            // a strided view whose span (2 GiB + 12 bytes) crosses three 1 GiB windows: storage elements
            // 1, 2 (-2, 0.25) and 2^29 + 2, 2^29 + 3 (5, 6.5)
            RawTensor spread = new RawTensor("sparse", ch, bigStart, DType.F32, 1, new long[] {2, 2},
                    new long[] {(1L << 29) + 1, 1});
            TensorScan.Checksum s = TensorScan.checksum(spread, 8);
            assertEquals(4, s.count());
            assertArrayEquals(new float[] {-2f, 0.25f, 5f, 6.5f}, s.head());
            assertEquals(9.75, s.sum(), 0.0);
            assertEquals(13.75, s.absSum(), 0.0);

            long t0 = System.nanoTime();
            RawTensor big = RawTensor.contiguous("sparse", ch, bigStart, DType.F32, new long[] {bigNumel});
            TensorScan.Checksum b = TensorScan.checksum(big, 8);
            assertEquals(bigNumel, b.count());
            assertEquals(1.5 - 2 + 0.25 + 3 - 4 + 5 + 6.5, b.sum(), 0.0);
            assertEquals(1.5 + 2 + 0.25 + 3 + 4 + 5 + 6.5, b.absSum(), 0.0);
            assertArrayEquals(new float[] {1.5f, -2f, 0.25f, 0, 0, 0, 0, 0}, b.head());
            assertEquals(bigNumel * 4, b.bytes());
            System.out.printf("TensorScan: %.2f GiB tensor summed in %.1f s%n", b.bytes() / (double) (1L << 30),
                    (System.nanoTime() - t0) / 1e9);

            RawTensor past = RawTensor.contiguous("sparse", ch, lateStart, DType.F32, new long[] {1L << 20});
            WeightsException e = assertThrows(WeightsException.class, () -> TensorScan.checksum(past, 8));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    static void put(FileChannel ch, long pos, float... v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        b.flip();
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
    }
}
