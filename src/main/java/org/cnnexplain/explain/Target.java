package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.UserError;
import org.cnnexplain.model.ModelSpec.Activation;
import org.cnnexplain.model.Prediction;
import org.cnnexplain.graph.Tensors;

/**
 * The score an explanation explains: a class (index, name, or {@code top1})
 * and whether its raw score (logit, the default) or its probability — the softmax over the
 * classes, or the class's own sigmoid for a model whose activation is a sigmoid
 * ({@link org.cnnexplain.model.ExplainableModel#activation}).
 *
 * <p>For a classifier, {@code top1} is each sample's predicted class and the
 * score is that class's output. For a model with a per-pixel output (N, K, h, w),
 * such as a U-Net, the score is Seg-Grad-CAM's: the sum of class c's output over a
 * region — the {@link Region} when one is given (a Fiji ROI, a mask file), else the
 * pixels predicted as c. There {@code top1} means the most frequent predicted class
 * other than class 0, which is taken to be the background (inside the region, if any).
 * Under a sigmoid (a binary U-Net with one "foreground" channel, or one sigmoid per class) a pixel
 * is predicted as c where c's probability is above 0.5, every class counts as foreground, and
 * {@code top1} is the class with the most such pixels; when no pixel is predicted as c (and no
 * region is given), the sum runs over the whole image.
 *
 * <pre>{@code
 * Target t = Target.parse("mitotic", "logit");
 * Activation a = model.activation(logits);
 * int[] classes = t.classes(logits, model.classNames(), a);   // one per sample
 * NDArray y = t.score(logits, classes, a);                     // (N,), differentiable
 * Target seg = Target.parse("nucleus", "logit").within(Region.box(64, 64, 10, 12, 20, 20));
 * }</pre>
 */
public record Target(String spec, boolean probability, Region region) {

    public static final String TOP1 = "top1";

    public Target(String spec, boolean probability) {
        this(spec, probability, null);
    }

    public static Target parse(String spec, String score) {
        String s = score == null ? "logit" : score.trim().toLowerCase(Locale.ROOT);
        if (!s.equals("logit") && !s.equals("probability")) {
            throw new UserError("unknown target score '" + score + "' (valid: logit, probability)");
        }
        return new Target(spec == null || spec.isBlank() ? TOP1 : spec.trim(), s.equals("probability"));
    }

    public static Target top1() {
        return new Target(TOP1, false);
    }

    /** The same class and score, summed over {@code r} (segmentation models only). */
    public Target within(Region r) {
        return new Target(spec, probability, r);
    }

    /**
     * Class {@code cls} with the same score and region: the class a noisy or turned copy of an image is
     * explained for, so that every copy explains the class of the original even where its own top1 differs.
     */
    public Target withClass(int cls) {
        return new Target(Integer.toString(cls), probability, region);
    }

    /** Class {@code cls} itself, logit, the same region: what Guided Grad-CAM back-propagates. */
    public Target forClass(int cls) {
        return new Target(Integer.toString(cls), false, region);
    }

    /** The class index per sample of {@code logits} (N, K) or (N, K, spatial...). */
    public int[] classes(NDArray logits, List<String> names, Activation activation) {
        long[] shape = logits.getShape().getShape();
        int n = (int) shape[0];
        int k = shape.length > 1 ? (int) shape[1] : 1;
        int positions = (int) (logits.getShape().size() / Math.max((long) n * k, 1));
        checkRegion(shape);
        int[] out = new int[n];
        if (!spec.equalsIgnoreCase(TOP1)) {
            java.util.Arrays.fill(out, index(k, names));
            return out;
        }
        float[] v = logits.toFloatArray();
        for (int i = 0; i < n; i++) {
            out[i] = positions == 1 ? Prediction.classAt(v, i, k, 1, 0)
                    : dominantClass(v, i, k, positions, shape, activation);
        }
        return out;
    }

    /** Segmentation top1: the class predicted at most positions of the region, class 0 only when nothing else is. */
    private int dominantClass(float[] v, int sample, int k, int positions, long[] shape, Activation activation) {
        boolean[] inside = region == null ? null : region.sample((int) shape[shape.length - 1], (int) shape[2]);
        return Prediction.dominantClass(Prediction.pixelsPerClass(v, sample, k, positions, inside, activation),
                activation);
    }

    private void checkRegion(long[] shape) {
        if (region != null && shape.length != 4) {
            throw new UserError("a region (ROI) target needs a model with a per-pixel output (N, classes, h, w);"
                    + " this model's output is " + java.util.Arrays.toString(shape)
                    + (shape.length == 2 ? ": it classifies whole images, remove the ROI" : ""));
        }
    }

    /** The class this target names, for a model of {@code k} classes; -1 for {@code top1} (it depends on the scores). */
    public int classIndex(int k, List<String> names) {
        return spec.equalsIgnoreCase(TOP1) ? -1 : index(k, names);
    }

    private int index(int k, List<String> names) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(spec)) {
                return i;
            }
        }
        try {
            int i = Integer.parseInt(spec);
            if (i >= 0 && i < k) {
                return i;
            }
            throw new UserError("target class " + i + " is out of range: the model has " + k + " classes, 0-"
                    + (k - 1) + " (" + String.join(", ", names) + ")");
        } catch (NumberFormatException e) {
            throw new UserError("unknown target '" + spec + "' (valid: top1, a class index 0-" + (k - 1)
                    + ", or a class name: " + String.join(", ", names) + ")");
        }
    }

    /** The differentiable target score of every sample, shape (N,). */
    public NDArray score(NDArray logits, int[] classes, Activation activation) {
        return score(logits, weights(logits, classes, activation), activation);
    }

    /**
     * The differentiable score of every sample for given {@code weights} on its output (N × K × positions,
     * as {@link #weights} lays them out): the sum of the weighted logits, or of the probabilities when this
     * target scores probabilities. A field explained in tiles gives each tile its own part of the field's
     * region this way.
     */
    public NDArray score(NDArray logits, float[] weights, Activation activation) {
        NDArray values = probability ? Prediction.probabilities(logits, activation) : logits;
        NDArray flat = values.reshape(logits.getShape().get(0), -1);
        return flat.mul(Tensors.of(logits.getManager(), weights, flat.getShape())).sum(new int[] {1});
    }

    /**
     * What the score sums, as weights on the output (N, K, spatial...) flattened per sample: a one at
     * each sample's class, or for a per-pixel output the region on the class's channel. Also the seed
     * that the backprop rules send back from the output.
     */
    public float[] weights(NDArray logits, int[] classes, Activation activation) {
        long[] shape = logits.getShape().getShape();
        checkRegion(shape);
        int n = classes.length;
        int k = (int) shape[1];
        int positions = (int) (logits.getShape().size() / ((long) n * k));
        float[] w = new float[(int) logits.getShape().size()];
        if (positions == 1) {
            for (int i = 0; i < n; i++) {
                w[i * k + classes[i]] = 1f;
            }
            return w;
        }
        boolean predicted = region == null || region.bounds();
        float[] v = predicted ? logits.toFloatArray() : null;
        for (int i = 0; i < n; i++) {
            boolean[] in = pixels(v, i, k, (int) shape[shape.length - 1], (int) shape[2], classes[i], activation);
            int base = (i * k + classes[i]) * positions;
            for (int p = 0; p < positions; p++) {
                w[base + p] = in[p] ? 1f : 0f;
            }
        }
        return w;
    }

    /**
     * Where the score of sample {@code i} of a per-pixel output {@code v} (N × K × h × w, row-major; unused
     * and may be null when the region replaces the predicted pixels) sums class {@code cls}: the region's
     * pixels, or the pixels predicted as {@code cls} (inside the region when it only bounds them); under a
     * sigmoid, when no pixel is predicted as it, the whole image (inside the region).
     */
    public boolean[] pixels(float[] v, int i, int k, int w, int h, int cls, Activation activation) {
        int positions = w * h;
        boolean[] inside = region == null ? null : region.sample(w, h);
        boolean predicted = inside == null || region.bounds();
        boolean[] out = new boolean[positions];
        int count = 0;
        for (int p = 0; p < positions; p++) {
            out[p] = (inside == null || inside[p])
                    && (!predicted || Prediction.predictedAs(v, i, k, positions, p, cls, activation));
            count += out[p] ? 1 : 0;
        }
        if (count == 0 && activation == Activation.SIGMOID) {
            for (int p = 0; p < positions; p++) {   // nothing predicted: the whole image (not its padding)
                out[p] = inside == null || inside[p];
            }
        }
        return out;
    }

    /**
     * The class of one per-pixel output {@code v} (K × h × w): the named class, or for {@code top1} the
     * dominant one inside the region ({@link #classes}).
     */
    public int classOf(float[] v, int k, int w, int h, List<String> names, Activation activation) {
        if (!spec.equalsIgnoreCase(TOP1)) {
            return index(k, names);
        }
        return dominantClass(v, 0, k, w * h, new long[] {1, k, h, w}, activation);
    }

    public String describe(List<String> names, int cls) {
        return (cls < names.size() ? names.get(cls) : Integer.toString(cls)) + (probability ? " (probability)" : "")
                + (region != null && !region.bounds() ? " in " + region.name() : "");
    }
}
