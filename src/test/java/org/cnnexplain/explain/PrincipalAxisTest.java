package org.cnnexplain.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The principal axis by its definition, on both sides (Gram matrix of rows when there are fewer rows than
 * columns, XᵀX otherwise): a unit vector v with XᵀX v = λ v where λ = ‖Xv‖² is the largest value of
 * ‖Xw‖² over unit w (checked against every coordinate axis and 200 random directions).
 */
class PrincipalAxisTest {

    @ParameterizedTest(name = "{0} x {1}")
    @CsvSource({"49, 2048", "16, 1280", "256, 64", "30, 30"})
    void isTheTopEigenvectorOfXtX(int n, int c) {
        Random random = new Random(n * 31L + c);
        double[] x = new double[n * c];
        for (int i = 0; i < x.length; i++) {
            // a dominant direction plus noise, as activations of one layer have
            x[i] = random.nextGaussian() + 3 * Math.sin(i % c) * (i / c % 7);
        }
        double[] v = PrincipalAxis.of(x.clone(), n, c);
        assertEquals(1.0, dot(v, v), 1e-9, "unit length");
        double[] xv = times(x, n, c, v);
        double lambda = dot(xv, xv);
        double[] xtxv = new double[c];
        for (int p = 0; p < n; p++) {
            for (int k = 0; k < c; k++) {
                xtxv[k] += x[p * c + k] * xv[p];
            }
        }
        for (int k = 0; k < c; k++) {
            assertEquals(lambda * v[k], xtxv[k], 1e-8 * lambda, "eigen-equation at " + k);
        }
        for (int trial = 0; trial < 200 + c; trial++) {
            double[] w = new double[c];
            if (trial < c) {
                w[trial] = 1;
            } else {
                for (int k = 0; k < c; k++) {
                    w[k] = random.nextGaussian();
                }
                double norm = Math.sqrt(dot(w, w));
                for (int k = 0; k < c; k++) {
                    w[k] /= norm;
                }
            }
            double[] xw = times(x, n, c, w);
            assertTrue(dot(xw, xw) <= lambda * (1 + 1e-12), "a direction spreads more than the axis");
        }
    }

    @Test
    void zerosHaveNoAxis() {
        assertArrayEquals(new double[5], PrincipalAxis.of(new double[3 * 5], 3, 5));
        assertArrayEquals(new double[2], PrincipalAxis.of(new double[3 * 2], 3, 2));
    }

    private static double[] times(double[] x, int n, int c, double[] v) {
        double[] out = new double[n];
        for (int p = 0; p < n; p++) {
            for (int k = 0; k < c; k++) {
                out[p] += x[p * c + k] * v[k];
            }
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
