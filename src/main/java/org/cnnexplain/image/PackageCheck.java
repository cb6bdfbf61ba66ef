package org.cnnexplain.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.UserError;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.model.BioImageIoPackage;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.NpyArray;

/**
 * A bioimage.io package's own test: its test input through the preprocessing, the model and the
 * postprocessing, compared with its test output under the package's tolerance (bioimage.io's
 * defaults: relative 1e-3, absolute 1e-4, at most 100 mismatched elements per million).
 *
 * <pre>{@code
 * PackageCheck.Result r = PackageCheck.run(pkg, model);
 * r.passed();      // true
 * r.maxError();    // 2.4e-7
 * }</pre>
 */
public final class PackageCheck {

    /** {@code mismatched} elements of {@code total} exceed the tolerance; {@code maxError} is max |out - expected|. */
    public record Result(double maxError, long mismatched, long total, BioImageIoPackage.Tolerance tolerance,
                         float[] output) {

        public boolean passed() {
            return mismatched * 1e6 <= tolerance.perMillion() * total;
        }

        public String describe() {
            BioImageIoPackage.Tolerance t = tolerance;
            return String.format(Locale.ROOT, "max |error| %.3g, %d of %d elements beyond %.3g + %.3g * |expected|"
                    + " (allowed: %.0f per million): %s", maxError, mismatched, total, t.absolute(), t.relative(),
                    t.perMillion(), passed() ? "pass" : "FAIL");
        }
    }

    private PackageCheck() {
    }

    public static Result run(BioImageIoPackage pkg, ExplainableModel model) {
        if (pkg.testInput() == null || pkg.testOutput() == null) {
            throw new UserError("bioimage.io package '" + pkg.spec().name() + "' has no test input and output tensors");
        }
        NpyArray in = NpyArray.read(pkg.testInput());
        NpyArray expected = NpyArray.read(pkg.testOutput());
        float[] x = in.data().clone();
        preprocess(Preprocessing.of(pkg.spec().preprocessing()), x, in.shape());
        float[] out;
        long[] outShape;
        try (NDManager run = model.newRun()) {
            NDArray input = Tensors.of(run, x, new Shape(in.shape()));
            NDArray y = model.forward(run, input, List.of()).logits();
            outShape = y.getShape().getShape();
            out = y.toFloatArray();
        }
        preprocess(Preprocessing.of(pkg.postprocessing()), out, outShape);
        if (!Arrays.equals(outShape, expected.shape())) {
            throw new UserError("bioimage.io package '" + pkg.spec().name() + "': the model's output has shape "
                    + Arrays.toString(outShape) + ", the test output " + Arrays.toString(expected.shape()));
        }
        BioImageIoPackage.Tolerance t = pkg.tolerance();
        double max = 0;
        long bad = 0;
        for (int i = 0; i < out.length; i++) {
            double e = expected.data()[i];
            double err = Math.abs(out[i] - e);
            if (!(err <= t.absolute() + t.relative() * Math.abs(e))) {   // NaN counts as a mismatch
                bad++;
            }
            max = Double.isNaN(err) ? Double.NaN : Math.max(max, err);
        }
        return new Result(max, bad, out.length, t, out);
    }

    /** Applies {@code steps} to each sample of an (N, C, ...) tensor; a rank-1 tensor is one channel. */
    static void preprocess(Preprocessing steps, float[] data, long[] shape) {
        int n = shape.length > 1 ? (int) shape[0] : 1;
        int channels = shape.length > 1 ? (int) shape[1] : 1;
        int size = data.length / Math.max(1, n * channels);
        for (int s = 0; s < n; s++) {
            steps.apply(data, s * channels * size, channels, size);
        }
    }
}
