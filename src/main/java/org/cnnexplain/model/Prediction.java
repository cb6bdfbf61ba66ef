package org.cnnexplain.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.cnnexplain.image.TensorBatch;

/**
 * The class scores of one sample: raw outputs, their softmax, and the winner.
 * For a model with a per-pixel output (a U-Net), the scores are each class's mean
 * output, the "probabilities" the fraction of pixels predicted as each class, and
 * the winner the most frequent class other than the background (class 0).
 *
 * @param scores        raw model outputs (logits for a classifier)
 * @param probabilities softmax of {@code scores}; pixel fractions for a segmentation model
 * @param top1          index of the highest score; the dominant foreground class of a segmentation
 * @param top1Name      its class name
 */
public record Prediction(float[] scores, float[] probabilities, int top1, String top1Name) {

    /** Samples per forward pass: large enough to use the cores, small enough for big inputs. */
    public static final int BATCH = 16;

    /** Predicts every sample of {@code batch}, {@link #BATCH} at a time, each chunk in its own run. */
    public static List<Prediction> of(ExplainableModel model, TensorBatch batch) {
        List<Prediction> out = new ArrayList<>();
        List<String> names = model.classNames();
        for (int from = 0; from < batch.size(); from += BATCH) {
            int to = Math.min(batch.size(), from + BATCH);
            try (NDManager run = model.newRun()) {
                NDArray logits = model.logits(run, batch.toNDArray(run, from, to));
                if (logits.getShape().dimension() > 2) {
                    out.addAll(perPixel(logits, names));
                    continue;
                }
                NDArray flat = logits.reshape(to - from, -1);
                float[] scores = flat.toFloatArray();
                float[] probs = flat.softmax(1).toFloatArray();
                int k = (int) flat.getShape().get(1);
                for (int i = 0; i < to - from; i++) {
                    float[] s = java.util.Arrays.copyOfRange(scores, i * k, (i + 1) * k);
                    float[] p = java.util.Arrays.copyOfRange(probs, i * k, (i + 1) * k);
                    int best = argMax(s);
                    out.add(new Prediction(s, p, best, best < names.size() ? names.get(best) : Integer.toString(best)));
                }
            }
        }
        return out;
    }

    /** Segmentation outputs (N, K, spatial...): mean score and pixel fraction per class. */
    private static List<Prediction> perPixel(NDArray logits, List<String> names) {
        int n = (int) logits.getShape().get(0);
        int k = (int) logits.getShape().get(1);
        int positions = (int) (logits.getShape().size() / ((long) n * k));
        float[] v = logits.toFloatArray();
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] mean = new float[k];
            float[] fraction = new float[k];
            int[] count = pixelsPerClass(v, i, k, positions, null);
            for (int c = 0; c < k; c++) {
                for (int p = 0; p < positions; p++) {
                    mean[c] += v[(i * k + c) * positions + p] / positions;
                }
                fraction[c] = count[c] / (float) positions;
            }
            int best = dominantClass(count);
            out.add(new Prediction(mean, fraction, best, best < names.size() ? names.get(best) : Integer.toString(best)));
        }
        return out;
    }

    /**
     * The class with the highest score at position {@code p} of sample {@code i} of an output
     * {@code v} laid out (N, K, positions); positions = 1 for a classifier.
     */
    public static int classAt(float[] v, int i, int k, int positions, int p) {
        int first = i * k * positions + p;
        int best = 0;
        for (int c = 1; c < k; c++) {
            if (v[first + c * positions] > v[first + best * positions]) {
                best = c;
            }
        }
        return best;
    }

    /** Positions of sample {@code i} predicted as each class, only where {@code inside} (null: everywhere). */
    public static int[] pixelsPerClass(float[] v, int i, int k, int positions, boolean[] inside) {
        int[] count = new int[k];
        for (int p = 0; p < positions; p++) {
            if (inside == null || inside[p]) {
                count[classAt(v, i, k, positions, p)]++;
            }
        }
        return count;
    }

    /** The class with the most pixels, class 0 (the background) only when no other class has any. */
    public static int dominantClass(int[] pixelsPerClass) {
        int best = 0;
        for (int c = 1; c < pixelsPerClass.length; c++) {
            if (pixelsPerClass[c] > 0 && (best == 0 || pixelsPerClass[c] > pixelsPerClass[best])) {
                best = c;
            }
        }
        return best;
    }

    /** Index of the largest value (the first one on ties). */
    public static int argMax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
