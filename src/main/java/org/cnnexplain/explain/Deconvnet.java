package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.UserError;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelSpec;
import org.cnnexplain.model.Layer;
import org.cnnexplain.graph.Tensors;

/**
 * Projects neurons of a layer back to pixel space (Zeiler & Fergus 2014), with
 * the ReLU rule of {@link Backprop}: deconvnet, guided backprop or the gradient.
 *
 * <p>What is projected ({@link Signal}):
 * <ul>
 *   <li>{@code peak}: for each chosen channel, its strongest activation alone
 *       (all other activations of the layer set to zero) — the default;</li>
 *   <li>{@code channel}: the channel's whole activation map;</li>
 *   <li>{@code class}: the target class score (a one at the logit), whatever the layer.</li>
 * </ul>
 * Channels are a list, or the top k by maximum activation. All projections of
 * one image run as one batch. A C-channel input gives C maps per neuron (one per stain,
 * {@link MapStack#channels()}), not their sum.
 */
public final class Deconvnet {

    public enum Signal {
        PEAK, CHANNEL, CLASS;

        public static Signal parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new UserError("unknown signal '" + s + "' (valid: peak, channel, class)");
            }
        }
    }

    private Deconvnet() {
    }

    /**
     * Projections of one image (sample 0 of {@code input}).
     *
     * @param channels 0-based channels, or null to take the {@code top} strongest
     */
    public static MapStack project(ExplainableModel model, NDManager run, NDArray input, String layer,
                                   Backprop.Rule rule, int[] channels, int top, Signal signal, Target target) {
        NDArray x = input.get(0).expandDims(0);
        int[] in = CamMethod.spatialSize(x.getShape().getShape());
        if (signal == Signal.CLASS) {
            ExplainableModel.Forward f = model.forward(run, x, List.of());
            ModelSpec.Activation activation = model.activation(f.logits());
            int[] cls = target.classes(f.logits(), model.classNames(), activation);
            NDArray seed = Tensors.of(run, target.weights(f.logits(), cls, activation), f.logits().getShape());
            NDArray back = Backprop.toInput(model, run, x, model.outputName(), seed, rule);
            return MapStack.perChannel(back.toFloatArray(), 1, inputChannels(x), in,
                    List.of(rule.fileName() + " of class " + target.describe(model.classNames(), cls[0])));
        }
        Layer l = LayerChoice.spatial(model, layer, "Deconvnet", x.getShape().getShape());
        NDArray a = model.forward(run, x, List.of(l.output())).tap(l.output());
        int c = (int) a.getShape().get(1);
        int hw = (int) (a.getShape().size() / c);
        float[] v = a.toFloatArray();
        int[] chosen = channels != null ? FeatureMaps.checked(channels, c, l) : topByMax(v, c, hw, top);
        float[] seeds = new float[chosen.length * c * hw];
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < chosen.length; i++) {
            int k = chosen[i];
            int peak = argMax(v, k * hw, hw);
            if (signal == Signal.PEAK) {
                seeds[(i * c + k) * hw + peak] = v[k * hw + peak];
            } else {
                System.arraycopy(v, k * hw, seeds, (i * c + k) * hw, hw);
            }
            labels.add(String.format(Locale.ROOT, "channel %d %s (peak %.3g at %s)", k,
                    signal == Signal.PEAK ? "neuron" : "map", v[k * hw + peak], position(peak, a.getShape().getShape())));
        }
        NDList copies = new NDList();
        for (int i = 0; i < chosen.length; i++) {
            copies.add(x);
        }
        NDArray batch = NDArrays.concat(copies, 0);
        NDArray seed = Tensors.of(run, seeds, new Shape(chosen.length).addAll(a.getShape().slice(1)));
        NDArray back = Backprop.toInput(model, run, batch, l.output(), seed, rule);
        return MapStack.perChannel(back.toFloatArray(), chosen.length, inputChannels(x), in, labels);
    }

    private static int inputChannels(NDArray x) {
        return (int) x.getShape().get(1);
    }

    /** The channels {@link #project} projects for sample 0 of x: {@code channels} checked, or the {@code top} strongest. */
    static int[] chosen(ExplainableModel model, NDManager run, NDArray x, Layer l, int[] channels, int top) {
        NDArray a = model.forward(run, x, List.of(l.output())).tap(l.output());
        int c = (int) a.getShape().get(1);
        return channels != null ? FeatureMaps.checked(channels, c, l)
                : topByMax(a.toFloatArray(), c, (int) (a.getShape().size() / c), top);
    }

    /** "x=3 y=5", or "x=3 y=5 z=2" in a volume (1-based z, as ImageJ counts slices). */
    private static String position(int p, long[] shape) {
        int[] size = CamMethod.spatialSize(shape);
        int x = p % size[2];
        int y = p / size[2] % size[1];
        return "x=" + x + " y=" + y + (shape.length > 4 ? " z=" + (p / (size[1] * size[2]) + 1) : "");
    }

    static int[] topByMax(float[] v, int c, int hw, int k) {
        if (k < 1) {
            throw new UserError("top must be at least 1");
        }
        Integer[] order = new Integer[c];
        float[] max = new float[c];
        for (int i = 0; i < c; i++) {
            order[i] = i;
            max[i] = v[i * hw + argMax(v, i * hw, hw)];
        }
        java.util.Arrays.sort(order, (p, q) -> Float.compare(max[q], max[p]));
        int n = Math.min(k, c);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = order[i];
        }
        return out;
    }

    private static int argMax(float[] v, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[from + i] > v[from + best]) {
                best = i;
            }
        }
        return best;
    }
}
