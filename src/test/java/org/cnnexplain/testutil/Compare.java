package org.cnnexplain.testutil;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The project's closeness measure: max |actual - expected| / max |expected|. */
public final class Compare {

    private Compare() {
    }

    public static double relativeError(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            throw new AssertionError("length " + actual.length + " != " + expected.length);
        }
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < actual.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxDiff / Math.max(maxRef, 1e-30);
    }

    public static void assertClose(float[] actual, long[] actualShape, Npy expected, double tolerance, String what) {
        assertArrayEquals(expected.shape(), actualShape, what + ": shape");
        double err = relativeError(actual, expected.data());
        assertTrue(err <= tolerance, what + ": relative error " + err + " > " + tolerance);
    }
}
