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
 * variant what each channel contributes at each position ({@link #contributions}, by default
 * {@code w_k A_k} with {@link #weights}), sum them over channels (or, with eigensmooth, take their
 * first principal component), apply ReLU, and upsample to the input.
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

    /** Whether the maps need dy/dA besides A (not Eigen-CAM, Score-CAM). */
    public final boolean needsGradients() {
        return usesGradients();
    }

    /** Channel weights w_k of one sample. Variants that weigh positions instead override {@link #contributions}. */
    protected float[] weights(Sample s) {
        throw new UnsupportedOperationException(name() + " does not use channel weights");
    }

    /**
     * What each channel contributes at each position (C × positions, row-major): by default w_k A_k.
     * The map before ReLU is their sum over channels, or with eigensmooth their first principal component.
     */
    protected float[] contributions(Sample s) {
        return weighted(s, weights(s));
    }

    /** w_k A_k at every position. */
    protected static float[] weighted(Sample s, float[] w) {
        float[] out = new float[s.a().length];
        for (int k = 0; k < s.channels(); k++) {
            for (int p = 0; p < s.positions(); p++) {
                out[k * s.positions() + p] = w[k] * s.a()[k * s.positions() + p];
            }
        }
        return out;
    }

    /** g·A-style combination at each position: what LayerCAM and HiResCAM weigh with. */
    @FunctionalInterface
    protected interface PositionWeight {
        float apply(float gradient, float activation);
    }

    /** f(g_k(p), A_k(p)) for every channel k and position p. */
    protected static float[] perPosition(Sample s, PositionWeight f) {
        float[] out = new float[s.a().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.apply(s.g()[i], s.a()[i]);
        }
        return out;
    }

    /** Whether the contributions are reduced to their first principal component rather than summed. */
    protected boolean principalComponent() {
        return eigenSmooth;
    }

    /**
     * Eigensmooth (pytorch-grad-cam's eigen_smooth): project the contributions on their first principal
     * component instead of summing them; it keeps what most channels agree on and drops the rest.
     */
    public CamMethod eigenSmooth(boolean on) {
        this.eigenSmooth = on;
        return this;
    }

    private boolean eigenSmooth;

    /** The map of one sample before ReLU, from its contributions. */
    private float[] reduce(Sample s, float[] contributions) {
        if (principalComponent()) {
            return EigenCam.projection(contributions, s.channels(), s.positions());
        }
        float[] map = new float[s.positions()];
        for (int k = 0; k < s.channels(); k++) {
            for (int p = 0; p < s.positions(); p++) {
                map[p] += contributions[k * s.positions() + p];
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
        return maps(lg.activations().getShape().getShape(), lg.activations().toFloatArray(),
                lg.gradients() == null ? null : lg.gradients().toFloatArray(), lg.classes(),
                new Context(model, run, input, target, layer), this::contributions)
                .withScores(lg.logits().getShape().dimension() == 2 ? lg.logits().toFloatArray() : null);
    }

    /**
     * The maps of every sample from the layer's activations {@code a} and gradients {@code g} (N × C × positions,
     * g may be null): per sample, {@code contributions} summed (or eigensmoothed), ReLU when {@link #relu()}, upsampled to the input.
     */
    protected final CamResult maps(long[] shape, float[] a, float[] g, int[] classes, Context context,
                                   java.util.function.Function<Sample, float[]> contributions) {
        return maps(shape, a, g, classes, context, contributions, spatialSize(context.input().getShape().getShape()));
    }

    /**
     * The map of one image (or field) whose layer activations {@code a} and gradients {@code g} (1 × C × h × w,
     * g null for methods without gradients) were put together elsewhere, e.g. from the tiles of a field larger
     * than the model: exactly what {@link #explain} makes of them, upsampled to {@code height} × {@code width}.
     * For methods that only weigh A and g: not Score-CAM, which runs the model on the masked input itself.
     */
    public CamResult fromLayer(long[] shape, float[] a, float[] g, int cls, ExplainableModel model, Layer layer,
                               Target target, int height, int width) {
        if (usesGradients() && g == null) {
            throw new IllegalArgumentException(name() + " needs the gradients");
        }
        return maps(shape, a, g, new int[] {cls}, new Context(model, null, null, target, layer), this::contributions,
                new int[] {1, height, width});
    }

    private CamResult maps(long[] shape, float[] a, float[] g, int[] classes, Context context,
                           java.util.function.Function<Sample, float[]> contributions, int[] in) {
        int n = (int) shape[0];
        int c = (int) shape[1];
        int[] size = spatialSize(shape);
        int positions = size[0] * size[1] * size[2];
        int per = c * positions;
        float[] maps = new float[n * positions];
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Sample s = new Sample(n == 1 ? a : java.util.Arrays.copyOfRange(a, i * per, (i + 1) * per),
                    g == null || n == 1 ? g : java.util.Arrays.copyOfRange(g, i * per, (i + 1) * per), c,
                    shape.length > 4 ? size : new int[] {size[1], size[2]}, classes[i], context, i);
            float[] map = reduce(s, contributions.apply(s));
            if (relu()) {
                for (int p = 0; p < map.length; p++) {
                    map[p] = Math.max(map[p], 0f);
                }
            }
            System.arraycopy(map, 0, maps, i * positions, positions);
            labels.add(context.target().describe(context.model().classNames(), classes[i]));
        }
        MapStack layerMaps = new MapStack(maps, n, size[0], size[1], size[2], labels);
        return new CamResult(title(), context.layer(), classes, layerMaps, layerMaps.resized(in[0], in[1], in[2]));
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
