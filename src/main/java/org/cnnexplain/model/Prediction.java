package org.cnnexplain.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.cnnexplain.image.TensorBatch;

/**
 * The class scores of one sample: raw outputs, their probabilities, and the winner.
 * Probabilities follow the model's activation ({@link ModelSpec#activationFor}): one softmax over
 * the classes, or one sigmoid per class (a multi-label classifier, a binary model), where several
 * classes can be above 0.5 at once ({@link #above}).
 *
 * <p>For a model with a per-pixel output (a U-Net), the scores are each class's mean output, the
 * "probabilities" the fraction of pixels predicted as each class (softmax: the class with the highest
 * score; sigmoid: the class's probability above 0.5), {@code meanProbabilities} each class's mean
 * probability, and the winner the most frequent class other than the background (class 0 under a
 * softmax; under a sigmoid every class is a foreground class, so a binary model's winner is its one class).
 *
 * <pre>{@code
 * Prediction p = Prediction.of(binaryUnet, batch).get(0);
 * p.probabilities()[0];       // foreground fraction, e.g. 0.083
 * p.meanProbabilities()[0];   // mean probability of "nucleus"
 * }</pre>
 *
 * @param scores            raw model outputs (logits for a classifier); mean outputs for a per-pixel model
 * @param probabilities     softmax or sigmoid of {@code scores}; pixel fractions for a per-pixel model
 * @param top1              index of the highest score; the dominant foreground class of a per-pixel model
 * @param top1Name          its class name
 * @param meanProbabilities per-pixel models: each class's mean probability; null for a classifier
 * @param activation        how the probabilities were made
 */
public record Prediction(float[] scores, float[] probabilities, int top1, String top1Name, float[] meanProbabilities,
                         ModelSpec.Activation activation) {

    /** Samples per forward pass: large enough to use the cores, small enough for big inputs. */
    public static final int BATCH = 16;

    public Prediction(float[] scores, float[] probabilities, int top1, String top1Name) {
        this(scores, probabilities, top1, top1Name, null, ModelSpec.Activation.SOFTMAX);
    }

    /** Indices of the classes whose probability (pixel fraction for a per-pixel model) is above {@code threshold}. */
    public int[] above(double threshold) {
        return java.util.stream.IntStream.range(0, probabilities.length).filter(c -> probabilities[c] > threshold)
                .toArray();
    }

    /**
     * The predictions and, when asked for and the model has a per-pixel output, its postprocessed
     * output maps: per sample, K × spatial probabilities (softmax over the classes, or sigmoid).
     *
     * @param maps     one array per sample, or empty (a classifier, or maps not asked for)
     * @param mapShape (K, spatial...) of each map array, or null
     */
    public record Outputs(List<Prediction> predictions, List<float[]> maps, long[] mapShape) {
    }

    /** Predicts every sample of {@code batch}, {@link #BATCH} at a time, each chunk in its own run. */
    public static List<Prediction> of(ExplainableModel model, TensorBatch batch) {
        return run(model, batch, false).predictions();
    }

    /** As {@link #of}, keeping the probability maps of a per-pixel model when {@code keepMaps}. */
    public static Outputs run(ExplainableModel model, TensorBatch batch, boolean keepMaps) {
        List<Prediction> out = new ArrayList<>();
        List<float[]> maps = new ArrayList<>();
        long[] mapShape = null;
        List<String> names = model.classNames();
        for (int from = 0; from < batch.size(); from += BATCH) {
            int to = Math.min(batch.size(), from + BATCH);
            try (NDManager run = model.newRun()) {
                NDArray logits = model.logits(run, batch.toNDArray(run, from, to));
                ModelSpec.Activation activation = model.activation(logits);
                if (logits.getShape().dimension() > 2) {
                    out.addAll(perPixel(logits, names, activation));
                    if (keepMaps) {
                        mapShape = logits.getShape().slice(1).getShape();
                        float[] p = probabilities(logits, activation).toFloatArray();
                        int per = p.length / (to - from);
                        for (int i = 0; i < to - from; i++) {
                            maps.add(java.util.Arrays.copyOfRange(p, i * per, (i + 1) * per));
                        }
                    }
                    continue;
                }
                NDArray flat = logits.reshape(to - from, -1);
                float[] scores = flat.toFloatArray();
                float[] probs = probabilities(flat, activation).toFloatArray();
                int k = (int) flat.getShape().get(1);
                for (int i = 0; i < to - from; i++) {
                    float[] s = java.util.Arrays.copyOfRange(scores, i * k, (i + 1) * k);
                    float[] p = java.util.Arrays.copyOfRange(probs, i * k, (i + 1) * k);
                    int best = argMax(s);
                    out.add(new Prediction(s, p, best, name(names, best), null, activation));
                }
            }
        }
        return new Outputs(out, maps, mapShape);
    }

    /** Scores (N, K, ...) to probabilities: softmax over axis 1, or an element-wise sigmoid. */
    public static NDArray probabilities(NDArray scores, ModelSpec.Activation activation) {
        return activation == ModelSpec.Activation.SIGMOID ? ai.djl.nn.Activation.sigmoid(scores) : scores.softmax(1);
    }

    private static String name(List<String> names, int c) {
        return c < names.size() ? names.get(c) : Integer.toString(c);
    }

    /** Segmentation outputs (N, K, spatial...): mean score, pixel fraction and mean probability per class. */
    private static List<Prediction> perPixel(NDArray logits, List<String> names, ModelSpec.Activation activation) {
        int n = (int) logits.getShape().get(0);
        int k = (int) logits.getShape().get(1);
        int positions = (int) (logits.getShape().size() / ((long) n * k));
        float[] v = logits.toFloatArray();
        float[] probs = probabilities(logits, activation).toFloatArray();
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] mean = new float[k];
            float[] fraction = new float[k];
            float[] meanProbability = new float[k];
            int[] count = pixelsPerClass(v, i, k, positions, null, activation);
            for (int c = 0; c < k; c++) {
                double sum = 0;
                double sumP = 0;
                for (int p = 0; p < positions; p++) {
                    sum += v[(i * k + c) * positions + p];
                    sumP += probs[(i * k + c) * positions + p];
                }
                mean[c] = (float) (sum / positions);
                meanProbability[c] = (float) (sumP / positions);
                fraction[c] = count[c] / (float) positions;
            }
            int best = dominantClass(count, activation);
            out.add(new Prediction(mean, fraction, best, name(names, best), meanProbability, activation));
        }
        return out;
    }

    /**
     * Whether position {@code p} of sample {@code i} (output {@code v} laid out (N, K, positions)) is
     * predicted as class {@code c}: under a softmax, c has the highest score there; under a sigmoid,
     * c's own probability is above 0.5 (its logit above 0), whatever the other classes say.
     */
    public static boolean predictedAs(float[] v, int i, int k, int positions, int p, int c,
                                      ModelSpec.Activation activation) {
        if (activation == ModelSpec.Activation.SIGMOID) {
            return v[(i * k + c) * positions + p] > 0;
        }
        return classAt(v, i, k, positions, p) == c;
    }

    /** Positions of sample {@code i} predicted as each class ({@link #predictedAs}), only where {@code inside} (null: everywhere). */
    public static int[] pixelsPerClass(float[] v, int i, int k, int positions, boolean[] inside,
                                       ModelSpec.Activation activation) {
        if (activation != ModelSpec.Activation.SIGMOID) {
            return pixelsPerClass(v, i, k, positions, inside);
        }
        int[] count = new int[k];
        for (int p = 0; p < positions; p++) {
            if (inside == null || inside[p]) {
                for (int c = 0; c < k; c++) {
                    count[c] += v[(i * k + c) * positions + p] > 0 ? 1 : 0;
                }
            }
        }
        return count;
    }

    /**
     * The dominant class: under a softmax the class with the most pixels, class 0 (the background)
     * only when no other class has any; under a sigmoid (no background channel) the class with the most pixels.
     */
    public static int dominantClass(int[] pixelsPerClass, ModelSpec.Activation activation) {
        if (activation == ModelSpec.Activation.SIGMOID) {
            int best = 0;
            for (int c = 1; c < pixelsPerClass.length; c++) {
                best = pixelsPerClass[c] > pixelsPerClass[best] ? c : best;
            }
            return best;
        }
        return dominantClass(pixelsPerClass);
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
