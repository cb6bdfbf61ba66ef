package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;

/**
 * What every class-activation-map method shares; a variant only says how it
 * weighs the layer's channels.
 *
 * <p>For each sample: run forward (and backward when {@link #usesGradients()})
 * to get the layer's activations A (C × h × w) and gradients dy^c/dA, ask the
 * variant for its map ({@link #combine}, by default {@code sum_k w_k A_k} with
 * {@link #weights}), apply ReLU, and upsample to the input.
 *
 * <pre>{@code
 * CamResult r = new GradCam().explain(model, run, x, "block4", Target.parse("mitotic", "logit"));
 * r.layerMaps();   // one 16 × 16 map per sample
 * r.inputMaps();   // the same at 128 × 128
 * }</pre>
 */
public abstract class CamMethod {

    /** Short name used in file names and the {@code variant} parameter, e.g. {@code gradcam}. */
    public abstract String name();

    /** Human-readable name, e.g. {@code Grad-CAM}. */
    public abstract String title();

    protected boolean usesGradients() {
        return true;
    }

    /** Channel weights w_k of one sample. Variants that weigh positions instead override {@link #combine}. */
    protected float[] weights(Sample s) {
        throw new UnsupportedOperationException(name() + " does not use channel weights");
    }

    /** The map of one sample before ReLU: by default the weighted sum of the channels. */
    protected float[] combine(Sample s) {
        float[] w = weights(s);
        float[] map = new float[s.positions()];
        for (int k = 0; k < s.channels(); k++) {
            for (int p = 0; p < s.positions(); p++) {
                map[p] += w[k] * s.a()[k * s.positions() + p];
            }
        }
        return map;
    }

    /** g·A-style combination at each position: what LayerCAM and HiResCAM weigh with. */
    @FunctionalInterface
    protected interface PositionWeight {
        float apply(float gradient, float activation);
    }

    /** map(p) = sum over channels k of f(g_k(p), A_k(p)). */
    protected static float[] sumOverChannels(Sample s, PositionWeight f) {
        float[] map = new float[s.positions()];
        for (int k = 0; k < s.channels(); k++) {
            for (int p = 0; p < s.positions(); p++) {
                int i = k * s.positions() + p;
                map[p] += f.apply(s.g()[i], s.a()[i]);
            }
        }
        return map;
    }

    /** Whether the map is clipped at zero (every variant of pytorch-grad-cam does; CAM does not). */
    protected boolean relu() {
        return true;
    }

    /**
     * One sample's data: activations {@code a} and gradients {@code g} (null when
     * not used), both C × positions row-major, where the positions are the layer's
     * {@code size} ({h, w}, or {d, h, w} for a 3-D model), plus what Score-CAM needs to run the model.
     */
    public record Sample(float[] a, float[] g, int channels, int[] size, int cls, Context context, int index) {
        /** h·w, or d·h·w. */
        public int positions() {
            int n = 1;
            for (int s : size) {
                n *= s;
            }
            return n;
        }
    }

    /** The run a sample belongs to: model, its run manager, the whole input batch and the target. */
    public record Context(ExplainableModel model, NDManager run, NDArray input, Target target, Layer layer) {
    }

    public CamResult explain(ExplainableModel model, NDManager run, NDArray input, String layer, Target target) {
        Layer l = LayerChoice.spatial(model, layer, title(), input.getShape().getShape());
        return explain(model, run, input, l, target);
    }

    public CamResult explain(ExplainableModel model, NDManager run, NDArray input, Layer layer, Target target) {
        LayerGradients lg = usesGradients()
                ? LayerGradients.compute(model, run, input, layer, target)
                : LayerGradients.activationsOnly(model, run, input, layer, target);
        long[] shape = lg.activations().getShape().getShape();
        int n = (int) shape[0];
        int c = (int) shape[1];
        int[] size = spatialSize(shape);
        int positions = size[0] * size[1] * size[2];
        float[] a = lg.activations().toFloatArray();
        float[] g = lg.gradients() == null ? null : lg.gradients().toFloatArray();
        int per = c * positions;
        Context context = new Context(model, run, input, target, layer);
        float[] maps = new float[n * positions];
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Sample s = new Sample(java.util.Arrays.copyOfRange(a, i * per, (i + 1) * per),
                    g == null ? null : java.util.Arrays.copyOfRange(g, i * per, (i + 1) * per), c,
                    shape.length > 4 ? size : new int[] {size[1], size[2]}, lg.classes()[i], context, i);
            float[] map = combine(s);
            if (relu()) {
                for (int p = 0; p < map.length; p++) {
                    map[p] = Math.max(map[p], 0f);
                }
            }
            System.arraycopy(map, 0, maps, i * positions, positions);
            labels.add(target.describe(model.classNames(), lg.classes()[i]));
        }
        MapStack layerMaps = new MapStack(maps, n, size[0], size[1], size[2], labels);
        int[] in = spatialSize(input.getShape().getShape());
        return new CamResult(title(), layer, lg.classes(), layerMaps, layerMaps.resized(in[0], in[1], in[2]));
    }

    /** {d, h, w} of an (N, C, h, w) or (N, C, d, h, w) shape; d = 1 for 2-D (and w = 1 for 1-D). */
    static int[] spatialSize(long[] shape) {
        return switch (shape.length) {
            case 3 -> new int[] {1, (int) shape[2], 1};
            case 4 -> new int[] {1, (int) shape[2], (int) shape[3]};
            case 5 -> new int[] {(int) shape[2], (int) shape[3], (int) shape[4]};
            default -> throw new org.cnnexplain.UserError("a map needs a layer of shape (N, C, h, w) or (N, C, d, h, w),"
                    + " not " + java.util.Arrays.toString(shape));
        };
    }
}
