package org.cnnexplain.explain;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.NormOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The first right singular vector v of a matrix X (n × c): the axis along which
 * the rows of X spread most.
 *
 * <p>It is the top eigenvector of XᵀX (c × c), but when there are fewer rows than
 * columns — a 7 × 7 layer of 2,048 channels has n = 49 — the n × n Gram matrix XXᵀ
 * is far smaller and has the same non-zero eigenvalues: its top eigenvector u gives
 * v = Xᵀu / ‖Xᵀu‖. Either way one symmetric eigen-decomposition of the smaller side
 * (EJML's, double precision), costing min(n, c)²·max(n, c) for the product and
 * min(n, c)³ for the decomposition.
 *
 * <pre>{@code
 * double[] v = PrincipalAxis.of(x, 49, 2048);   // x row-major, 49 × 2048; v has 2,048 entries, ‖v‖ = 1
 * }</pre>
 * A matrix of zeros has no axis: v is then all zeros (so is every projection on it).
 */
final class PrincipalAxis {

    private PrincipalAxis() {
    }

    /** @param x row-major n × c */
    static double[] of(double[] x, int n, int c) {
        DMatrixRMaj m = DMatrixRMaj.wrap(n, c, x);
        boolean gram = n < c;
        DMatrixRMaj square = new DMatrixRMaj(Math.min(n, c), Math.min(n, c));
        if (gram) {
            CommonOps_DDRM.multTransB(m, m, square);   // X Xᵀ
        } else {
            CommonOps_DDRM.multTransA(m, m, square);   // Xᵀ X
        }
        double[] top = topEigenvector(square);
        if (top == null) {
            return new double[c];
        }
        if (!gram) {
            return top;
        }
        DMatrixRMaj v = new DMatrixRMaj(c, 1);
        CommonOps_DDRM.multTransA(m, DMatrixRMaj.wrap(n, 1, top), v);
        double norm = NormOps_DDRM.normF(v);
        if (norm == 0) {
            return new double[c];
        }
        CommonOps_DDRM.divide(v, norm);
        return v.data;
    }

    /** The unit eigenvector of the largest eigenvalue of a symmetric matrix; null when that eigenvalue is 0. */
    private static double[] topEigenvector(DMatrixRMaj symmetric) {
        int size = symmetric.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(size, true, true);
        if (!eig.decompose(symmetric)) {
            throw new IllegalStateException("symmetric eigen-decomposition did not converge");
        }
        int best = -1;
        double largest = 0;
        for (int i = 0; i < eig.getNumberOfEigenvalues(); i++) {
            double value = eig.getEigenvalue(i).getReal();
            if (value > largest) {
                largest = value;
                best = i;
            }
        }
        if (best < 0) {
            return null;
        }
        DMatrixRMaj vector = eig.getEigenVector(best);
        double norm = NormOps_DDRM.normF(vector);
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            out[i] = vector.get(i, 0) / norm;
        }
        return out;
    }
}
