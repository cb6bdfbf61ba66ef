package org.cnnexplain.atlas;

import java.util.ArrayList;
import java.util.List;

/**
 * Class → channel importance over a data set: for each class c, the mean over the samples the model
 * predicts as c of every channel's Grad-CAM weight α_k = mean over positions of ∂y^c/∂A^k (y^c the logit),
 * beside the channel's mean activation; and where CAM applies at the layer (it feeds the final global
 * average pooling) the CAM weight w_k^c of the linear layer — the same for every sample, so its mean is
 * itself. At such a layer α_k = w_k^c / (h·w) for every sample: the two columns agree up to that constant.
 *
 * <pre>{@code
 * Importance imp = new Importance(classNames, 64, camWeights);
 * imp.add(predicted, activations, gradients, offset, 256);   // per sample (package-private)
 * imp.strongest(1, 5);   // the 5 channels with the largest mean Grad-CAM weight for class 1
 * }</pre>
 */
public final class Importance {

    /**
     * One class and channel.
     *
     * @param samples    how many samples the model predicted as this class
     * @param gradcam    mean Grad-CAM weight α_k over them (NaN when there were none)
     * @param cam        the CAM weight w_k^c, or NaN where CAM does not apply
     * @param activation mean activation of the channel over them (mean over positions, then samples)
     */
    public record Row(int classIndex, String className, int channel, int samples, double gradcam, double cam,
                      double activation) {
    }

    private final List<String> classes;
    private final int channels;
    private final float[] cam;
    private final double[][] gradcam;
    private final double[][] activation;
    private final int[] count;

    /** @param cam the linear layer's weights (classes × channels), or null where CAM does not apply */
    public Importance(List<String> classes, int channels, float[] cam) {
        this.classes = List.copyOf(classes);
        this.channels = channels;
        this.cam = cam;
        this.gradcam = new double[classes.size()][channels];
        this.activation = new double[classes.size()][channels];
        this.count = new int[classes.size()];
    }

    /**
     * One sample predicted as {@code cls}: its activations {@code a} and gradients {@code g} (g may be null
     * when only activations are kept), each C × positions starting at {@code offset}.
     */
    void add(int cls, float[] a, float[] g, int offset, int positions) {
        count[cls]++;
        for (int k = 0; k < channels; k++) {
            double sa = 0;
            double sg = 0;
            int base = offset + k * positions;
            for (int p = 0; p < positions; p++) {
                sa += a[base + p];
                if (g != null) {
                    sg += g[base + p];
                }
            }
            activation[cls][k] += sa / positions;
            gradcam[cls][k] += sg / positions;
        }
    }

    public List<String> classes() {
        return classes;
    }

    public int channels() {
        return channels;
    }

    public boolean hasCam() {
        return cam != null;
    }

    public int samples(int cls) {
        return count[cls];
    }

    public double gradcam(int cls, int channel) {
        return count[cls] == 0 ? Double.NaN : gradcam[cls][channel] / count[cls];
    }

    public double cam(int cls, int channel) {
        return cam == null ? Double.NaN : cam[cls * channels + channel];
    }

    public double activation(int cls, int channel) {
        return count[cls] == 0 ? Double.NaN : activation[cls][channel] / count[cls];
    }

    /** Every class and channel, class by class. */
    public List<Row> rows() {
        List<Row> out = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            for (int k = 0; k < channels; k++) {
                out.add(new Row(c, classes.get(c), k, count[c], gradcam(c, k), cam(c, k), activation(c, k)));
            }
        }
        return out;
    }

    /** The {@code n} channels with the largest mean Grad-CAM weight for {@code cls} (ties: lower channel first). */
    public int[] strongest(int cls, int n) {
        Integer[] order = new Integer[channels];
        for (int k = 0; k < channels; k++) {
            order[k] = k;
        }
        java.util.Arrays.sort(order, (p, q) -> {
            int c = Double.compare(gradcam(cls, q), gradcam(cls, p));
            return c != 0 ? c : Integer.compare(p, q);
        });
        int m = Math.min(n, channels);
        int[] out = new int[m];
        for (int i = 0; i < m; i++) {
            out[i] = order[i];
        }
        return out;
    }
}
