package org.cnnexplain.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.cnnexplain.image.TensorBatch;

/**
 * The class scores of one sample: raw outputs, their softmax, and the winner.
 *
 * @param scores        raw model outputs (logits for a classifier)
 * @param probabilities softmax of {@code scores}
 * @param top1          index of the highest score
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
                NDArray logits = model.forward(run, batch.toNDArray(run, from, to), List.of()).logits();
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
