package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.UserError;

/**
 * The score an explanation explains: a class (index, name, or {@code top1} =
 * each sample's predicted class) and whether its raw score (logit, the default)
 * or its softmax probability.
 *
 * <pre>{@code
 * Target t = Target.parse("mitotic", "logit");
 * int[] classes = t.classes(logits, model.classNames());   // one per sample
 * NDArray y = t.score(logits, classes);                     // (N,), differentiable
 * }</pre>
 */
public record Target(String spec, boolean probability) {

    public static final String TOP1 = "top1";

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

    /** The class index per sample of {@code logits} (N, K). */
    public int[] classes(NDArray logits, List<String> names) {
        int n = (int) logits.getShape().get(0);
        int k = (int) logits.getShape().size() / Math.max(n, 1);
        int[] out = new int[n];
        if (spec.equalsIgnoreCase(TOP1)) {
            float[] v = logits.toFloatArray();
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int j = 1; j < k; j++) {
                    if (v[i * k + j] > v[i * k + best]) {
                        best = j;
                    }
                }
                out[i] = best;
            }
            return out;
        }
        java.util.Arrays.fill(out, index(k, names));
        return out;
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
    public NDArray score(NDArray logits, int[] classes) {
        NDArray flat = logits.reshape(classes.length, -1);
        NDArray values = probability ? flat.softmax(1) : flat;
        float[] onehot = new float[(int) flat.getShape().size()];
        int k = (int) flat.getShape().get(1);
        for (int i = 0; i < classes.length; i++) {
            onehot[i * k + classes[i]] = 1f;
        }
        return values.mul(flat.getManager().create(onehot, flat.getShape())).sum(new int[] {1});
    }

    public String describe(List<String> names, int cls) {
        return (cls < names.size() ? names.get(cls) : Integer.toString(cls)) + (probability ? " (probability)" : "");
    }
}
