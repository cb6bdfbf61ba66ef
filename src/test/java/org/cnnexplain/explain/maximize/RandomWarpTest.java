package org.cnnexplain.explain.maximize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.model.DeviceChoice;
import org.junit.jupiter.api.Test;

/** The warp's geometry by its properties: a whole-pixel shift with mirrored edges, a quarter turn, the blur. */
class RandomWarpTest {

    @Test
    void aShiftMovesPixelsAndMirrorsTheEdgeAndAQuarterTurnPermutes() {
        try (NDManager m = DeviceChoice.engine().newBaseManager()) {
            float[] v = new float[4 * 5];
            for (int i = 0; i < v.length; i++) {
                v[i] = i;
            }
            NDArray x = Tensors.of(m, v, new Shape(1, 1, 4, 5));
            float[] shifted = RandomWarp.apply(x, new RandomWarp.Draw[] {new RandomWarp.Draw(0, 1, 2, -1)})
                    .toFloatArray();
            for (int y = 0; y < 4; y++) {
                for (int c = 0; c < 5; c++) {
                    int sx = Parameterisation.mirror(c - 2, 5);
                    int sy = Parameterisation.mirror(y + 1, 4);
                    assertEquals(v[sy * 5 + sx], shifted[y * 5 + c], 1e-5, "x=" + c + " y=" + y);
                }
            }
            float[] sq = new float[16];
            for (int i = 0; i < 16; i++) {
                sq[i] = i;
            }
            float[] turned = RandomWarp.apply(Tensors.of(m, sq, new Shape(1, 1, 4, 4)),
                    new RandomWarp.Draw[] {new RandomWarp.Draw(Math.PI / 2, 1, 0, 0)}).toFloatArray();
            float[] sortedIn = sq.clone();
            float[] sortedOut = turned.clone();
            for (int i = 0; i < 16; i++) {
                sortedOut[i] = Math.round(sortedOut[i]);
                assertEquals(sortedOut[i], turned[i], 1e-4, "a quarter turn reads whole pixels");
            }
            java.util.Arrays.sort(sortedOut);
            assertArrayEquals(sortedIn, sortedOut, "a quarter turn is a permutation");
        }
    }

    /** The Fourier basis is orthonormal, and blurring its coefficients leaves a constant image alone. */
    @Test
    void theFourierBasisIsOrthonormal() {
        for (int n : new int[] {6, 7}) {
            float[] b = Parameterisation.Fourier.basis(n, false);
            for (int a = 0; a < n; a++) {
                for (int c = 0; c < n; c++) {
                    double dot = 0;
                    for (int j = 0; j < n; j++) {
                        dot += b[j * n + a] * b[j * n + c];
                    }
                    assertEquals(a == c ? 1 : 0, dot, 1e-5, "n=" + n + " columns " + a + ", " + c);
                }
            }
        }
    }
}
