package org.cnnexplain.explain.quality;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Prediction;

/**
 * Deletion and insertion curves (Petsiuk et al. 2018, RISE): the class probability as pixels are
 * deleted in the map's order (it should fall fast: low area under the curve) or inserted into an empty
 * image (it should rise fast: high area). Against a random order, a deletion curve says whether the map
 * ranks pixels better than chance.
 *
 * <p>Deleting happens in the raw image, where "nothing here" has a physical meaning: a pixel takes its
 * channel's background level (the median), and each step goes through the model's own normalisation,
 * as any image would. (Deleting in normalised space keeps the percentile scaling of the original, which
 * a model may read as evidence on its own; blurring leaves a smooth nucleus, itself a class.)
 *
 * <pre>{@code
 * Integer[] order = PixelCurves.byMap(map);                       // highest first
 * double[] del = PixelCurves.deletion(model, run, raw, 1, 128, 128, norm, order, cls, 20);
 * PixelCurves.auc(del);                                            // 0.196 for Grad-CAM on the demo
 * }</pre>
 */
public final class PixelCurves {

    /** Input values per forward pass: every step of a 128 x 128 image at once, one step at a time for big ones. */
    private static final int INPUT_VALUES_PER_PASS = 1 << 22;

    private PixelCurves() {
    }

    /** Positions by map value, highest first (a stable sort: ties keep the position order). */
    public static Integer[] byMap(float[] map) {
        Integer[] order = new Integer[map.length];
        for (int i = 0; i < map.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(map[b], map[a]));
        return order;
    }

    /** Every position once, shuffled by {@code random}. */
    public static Integer[] random(int positions, Random random) {
        List<Integer> shuffled = new ArrayList<>();
        for (int i = 0; i < positions; i++) {
            shuffled.add(i);
        }
        Collections.shuffle(shuffled, random);
        return shuffled.toArray(new Integer[0]);
    }

    /** Class {@code cls}'s probability after deleting 0, 1/steps, ..., all positions in {@code order}. */
    public static double[] deletion(ExplainableModel model, NDManager run, float[] raw, int channels, int height,
                                    int width, Normalization norm, Integer[] order, int cls, int steps) {
        return curve(model, run, raw, channels, height, width, norm, order, cls, steps, false);
    }

    /** Class {@code cls}'s probability as the positions in {@code order} are put into the background image. */
    public static double[] insertion(ExplainableModel model, NDManager run, float[] raw, int channels, int height,
                                     int width, Normalization norm, Integer[] order, int cls, int steps) {
        return curve(model, run, raw, channels, height, width, norm, order, cls, steps, true);
    }

    /** Area under a curve sampled at 0, 1/steps, ..., 1 (trapezoid rule). */
    public static double auc(double[] curve) {
        int steps = curve.length - 1;
        double sum = 0;
        for (int s = 0; s <= steps; s++) {
            sum += (s == 0 || s == steps) ? curve[s] / 2 : curve[s];
        }
        return sum / steps;
    }

    private static double[] curve(ExplainableModel model, NDManager run, float[] raw, int channels, int height,
                                  int width, Normalization norm, Integer[] order, int cls, int steps,
                                  boolean insert) {
        int plane = height * width;
        float[] background = new float[channels];
        for (int c = 0; c < channels; c++) {
            float[] sorted = Arrays.copyOfRange(raw, c * plane, (c + 1) * plane);
            Arrays.sort(sorted);
            background[c] = sorted[sorted.length / 2];
        }
        float[] batch = new float[(steps + 1) * raw.length];
        for (int s = 0; s <= steps; s++) {
            int changed = (int) Math.round(order.length * s / (double) steps);
            for (int c = 0; c < channels; c++) {
                float[] copy = Arrays.copyOfRange(raw, c * plane, (c + 1) * plane);
                if (insert) {
                    Arrays.fill(copy, background[c]);
                }
                for (int k = 0; k < changed; k++) {
                    int p = order[k];
                    copy[p] = insert ? raw[c * plane + p] : background[c];
                }
                norm.apply(copy, c);
                System.arraycopy(copy, 0, batch, s * raw.length + c * plane, plane);
            }
        }
        double[] out = new double[steps + 1];
        int per = Math.max(1, Math.min(steps + 1, INPUT_VALUES_PER_PASS / raw.length));
        for (int from = 0; from <= steps; from += per) {
            int to = Math.min(steps + 1, from + per);
            try (NDManager sub = run.newSubManager()) {
                NDArray x = Tensors.of(sub, Arrays.copyOfRange(batch, from * raw.length, to * raw.length),
                        new Shape(to - from, channels, height, width));
                NDArray logits = model.forward(sub, x, List.of()).logits();
                NDArray p = Prediction.probabilities(logits.reshape(to - from, -1), model.activation(logits));
                float[] v = p.toFloatArray();
                int k = v.length / (to - from);
                for (int s = from; s < to; s++) {
                    out[s] = v[(s - from) * k + cls];
                }
            }
        }
        return out;
    }
}
