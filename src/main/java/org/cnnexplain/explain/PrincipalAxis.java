package org.cnnexplain.explain;

/**
 * The first right singular vector of a matrix X (n × c): the top eigenvector of
 * XᵀX, found with the cyclic Jacobi eigenvalue method in double precision
 * (exact to rounding, no convergence trouble when eigenvalues are close).
 */
final class PrincipalAxis {

    private PrincipalAxis() {
    }

    static double[] of(double[][] x, int c) {
        double[][] m = new double[c][c];
        for (double[] row : x) {
            for (int i = 0; i < c; i++) {
                if (row[i] == 0) {
                    continue;
                }
                for (int j = i; j < c; j++) {
                    m[i][j] += row[i] * row[j];
                }
            }
        }
        for (int i = 0; i < c; i++) {
            for (int j = 0; j < i; j++) {
                m[i][j] = m[j][i];
            }
        }
        double[][] v = new double[c][c];
        for (int i = 0; i < c; i++) {
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int i = 0; i < c; i++) {
                for (int j = i + 1; j < c; j++) {
                    off += m[i][j] * m[i][j];
                }
            }
            if (off < 1e-30) {
                break;
            }
            for (int p = 0; p < c; p++) {
                for (int q = p + 1; q < c; q++) {
                    if (Math.abs(m[p][q]) < 1e-300) {
                        continue;
                    }
                    double theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double cs = 1 / Math.sqrt(t * t + 1);
                    double sn = t * cs;
                    rotate(m, v, p, q, cs, sn, c);
                }
            }
        }
        int best = 0;
        for (int i = 1; i < c; i++) {
            if (m[i][i] > m[best][best]) {
                best = i;
            }
        }
        double[] axis = new double[c];
        for (int i = 0; i < c; i++) {
            axis[i] = v[i][best];
        }
        return axis;
    }

    private static void rotate(double[][] m, double[][] v, int p, int q, double cs, double sn, int c) {
        for (int k = 0; k < c; k++) {
            double mkp = m[k][p];
            double mkq = m[k][q];
            m[k][p] = cs * mkp - sn * mkq;
            m[k][q] = sn * mkp + cs * mkq;
        }
        for (int k = 0; k < c; k++) {
            double mpk = m[p][k];
            double mqk = m[q][k];
            m[p][k] = cs * mpk - sn * mqk;
            m[q][k] = sn * mpk + cs * mqk;
        }
        for (int k = 0; k < c; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = cs * vkp - sn * vkq;
            v[k][q] = sn * vkp + cs * vkq;
        }
    }
}
