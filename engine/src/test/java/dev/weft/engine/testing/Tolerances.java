package dev.weft.engine.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Default tolerances for parity with the PyTorch reference, and the assertion that prints maxdiff. */
public final class Tolerances {
    /** fp32, one block: max abs diff. */
    public static final double BLOCK = 1e-4;

    private Tolerances() { }

    /** Max and mean of |a - b| over two equally long value arrays (pictures as [0, 1] floats). */
    public record Diff(double max, double mean) {
        public static Diff of(float[] a, float[] b) {
            assertTrue(a.length == b.length, "lengths " + a.length + " and " + b.length);
            double max = 0;
            double sum = 0;
            for (int i = 0; i < a.length; i++) {
                double d = Math.abs(a[i] - b[i]);
                max = Math.max(max, d);
                sum += d;
            }
            return new Diff(max, a.length == 0 ? 0 : sum / a.length);
        }
    }

    /** Asserts equal shapes and max |expected - actual| <= tol; prints the figure either way. */
    public static double assertClose(String what, NDArray expected, NDArray actual, double tol) {
        assertArrayEquals(expected.getShape().getShape(), actual.getShape().getShape(),
                what + ": shape " + actual.getShape() + " vs expected " + expected.getShape());
        NDArray e = expected.toType(DataType.FLOAT32, false);
        NDArray a = actual.toType(DataType.FLOAT32, false);
        float maxDiff = e.sub(a).abs().max().getFloat();
        float maxRef = e.abs().max().getFloat();
        System.out.printf("parity %-40s maxdiff %.3e (ref max |x| %.3e, tol %.0e)%n", what, maxDiff, maxRef, tol);
        assertTrue(!Float.isNaN(maxDiff) && maxDiff <= tol,
                what + ": max abs diff " + maxDiff + " > tolerance " + tol);
        return maxDiff;
    }
}
