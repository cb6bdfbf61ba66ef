package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;

/**
 * SmoothGrad (Smilkov et al. 2017) and test-time augmentation around a single-image method: the map is
 * the mean of the maps of copies of the image — {@code smoothgrad} copies with Gaussian noise
 * ({@link Noise}), each also under every flip and 90° turn when {@code augment} ({@link Dihedral}; each
 * copy's map turned back before averaging). Every copy is explained for the class of the image itself.
 * Maps are averaged raw, after the method's ReLU (pytorch-grad-cam's aug_smooth scales each map to
 * [0, 1] first; here display scaling stays in rendering).
 *
 * <p>Copies run through the model {@value #CHUNK} at a time (CAM family, and back-projections of the
 * class score); back-projections of neurons run copy by copy, each copy's neurons as one batch.
 *
 * <pre>{@code
 * Smoothing s = new Smoothing(8, 16, 0.15, true, false, 0);     // 16 noisy copies × 8 orientations
 * CamResult r = SmoothGrad.cam(new GradCam(), s, model, run, x, "block4", Target.top1());
 * }</pre>
 */
public final class SmoothGrad {

    static final int CHUNK = 16;

    private SmoothGrad() {
    }

    /** One copy: orientation {@code transform} ({@link Dihedral}) of noisy copy {@code noise} (-1: no noise). */
    record Copy(int transform, int noise) {
    }

    static List<Copy> copies(Smoothing s, int h, int w) {
        int[] transforms = s.augment() ? Dihedral.shapeKeeping(h, w) : new int[] {0};
        List<Copy> out = new ArrayList<>();
        for (int n = s.smoothgrad() > 0 ? 0 : -1; n < Math.max(s.smoothgrad(), 0); n++) {
            for (int t : transforms) {
                out.add(new Copy(t, n));
            }
        }
        return out;
    }

    /** The input of copy c of one sample x (C·D planes of h × w). */
    static float[] input(float[] x, int h, int w, Copy c, Smoothing s, Noise.Source noise) {
        float[] v = c.noise() < 0 ? x : Noise.copies(x, 0, c.noise(), 1, s.noise(), noise);
        return Dihedral.apply(c.transform(), v, h, w);
    }

    /** The CAM method {@code m} on sample 0 of x, averaged over the copies {@code s} asks for. */
    public static CamResult cam(CamMethod m, Smoothing s, ExplainableModel model, NDManager run, NDArray x,
                                String layer, Target target) {
        return cam(m, s, Noise.gaussian(s.seed()), model, run, x, LayerChoice.spatial(model, layer, m.title(), x.getShape().getShape()), target);
    }

    static CamResult cam(CamMethod m, Smoothing s, Noise.Source noise, ExplainableModel model, NDManager run,
                         NDArray input, Layer layer, Target target) {
        NDArray x = input.get(0).expandDims(0);
        NDArray firstLogits = model.forward(run, x, List.of()).logits();
        Target fixed = target.withClass(target.classes(firstLogits, model.classNames(), model.activation(firstLogits))[0]);
        long[] shape = x.getShape().getShape();
        int h = (int) shape[shape.length - 2];
        int w = (int) shape[shape.length - 1];
        float[] pixels = x.toFloatArray();
        List<Copy> copies = copies(s, h, w);
        Mean layerMean = new Mean();
        Mean inputMean = new Mean();
        CamResult first = null;
        for (int from = 0; from < copies.size(); from += CHUNK) {
            List<Copy> chunk = copies.subList(from, Math.min(copies.size(), from + CHUNK));
            try (NDManager sub = run.newSubManager()) {
                CamResult r = m.explain(model, sub, batch(sub, pixels, h, w, chunk, s, noise, shape), layer, fixed);
                first = first == null ? r : first;
                layerMean.addTurnedBack(r.layerMaps(), chunk);
                inputMean.addTurnedBack(r.inputMaps(), chunk);
            }
        }
        String how = " (" + s.describe() + ")";
        return new CamResult(first.method(), first.layer(), new int[] {first.classes()[0]},
                layerMean.result(first.layerMaps().labels().get(0) + how),
                inputMean.result(first.inputMaps().labels().get(0) + how));
    }

    /** Deconvnet, guided backprop or the gradient of sample 0 of x, averaged over the copies. */
    public static MapStack backprop(ExplainableModel model, NDManager run, NDArray input, String layer,
                                    Backprop.Rule rule, int[] channels, int top, Deconvnet.Signal signal,
                                    Target target, Smoothing s) {
        return backprop(model, run, input, layer, rule, channels, top, signal, target, s, Noise.gaussian(s.seed()));
    }

    static MapStack backprop(ExplainableModel model, NDManager run, NDArray input, String layer, Backprop.Rule rule,
                             int[] channels, int top, Deconvnet.Signal signal, Target target, Smoothing s,
                             Noise.Source noise) {
        NDArray x = input.get(0).expandDims(0);
        long[] shape = x.getShape().getShape();
        int h = (int) shape[shape.length - 2];
        int w = (int) shape[shape.length - 1];
        int[] in = CamMethod.spatialSize(shape);
        float[] pixels = x.toFloatArray();
        List<Copy> copies = copies(s, h, w);
        ExplainableModel.Forward clean = model.forward(run, x, List.of());
        int cls = target.classes(clean.logits(), model.classNames(), model.activation(clean.logits()))[0];
        Target fixed = target.withClass(cls);
        Mean mean = new Mean();
        List<String> labels;
        if (signal == Deconvnet.Signal.CLASS) {
            for (int from = 0; from < copies.size(); from += CHUNK) {
                List<Copy> chunk = copies.subList(from, Math.min(copies.size(), from + CHUNK));
                try (NDManager sub = run.newSubManager()) {
                    NDArray batch = batch(sub, pixels, h, w, chunk, s, noise, shape);
                    NDArray logits = model.forward(sub, batch, List.of()).logits();
                    int[] cls2 = new int[chunk.size()];
                    java.util.Arrays.fill(cls2, cls);
                    NDArray seed = Tensors.of(sub, fixed.weights(logits, cls2, model.activation(logits)), logits.getShape());
                    NDArray back = Backprop.toInput(model, sub, batch, model.outputName(), seed, rule);
                    mean.addTurnedBack(new MapStack(back.sum(new int[] {1}).toFloatArray(), chunk.size(), in[0],
                            in[1], in[2], java.util.Collections.nCopies(chunk.size(), "")), chunk);
                }
            }
            labels = List.of(rule.fileName() + " of class " + target.describe(model.classNames(), cls));
        } else {
            Layer l = LayerChoice.spatial(model, layer, "Deconvnet", x.getShape().getShape());
            int[] chosen = Deconvnet.chosen(model, run, x, l, channels, top);
            for (Copy c : copies) {
                try (NDManager sub = run.newSubManager()) {
                    NDArray copy = Tensors.of(sub, input(pixels, h, w, c, s, noise), new Shape(shape));
                    mean.addTurnedBack(Deconvnet.project(model, sub, copy, l.name(), rule, chosen, chosen.length,
                            signal, fixed), List.of(c));
                }
            }
            labels = new ArrayList<>();
            for (int k : chosen) {
                labels.add(String.format(Locale.ROOT, "channel %d %s", k, signal == Deconvnet.Signal.PEAK
                        ? "neuron (each copy's peak)" : "map"));
            }
        }
        MapStack m = mean.result(null);
        List<String> described = new ArrayList<>();
        for (String label : labels) {
            described.add(label + " (" + s.describe() + ")");
        }
        return new MapStack(m.data(), m.count(), m.depth(), m.height(), m.width(), described);
    }

    private static NDArray batch(NDManager sub, float[] pixels, int h, int w, List<Copy> chunk, Smoothing s,
                                 Noise.Source noise, long[] shape) {
        float[] all = new float[chunk.size() * pixels.length];
        for (int i = 0; i < chunk.size(); i++) {
            System.arraycopy(input(pixels, h, w, chunk.get(i), s, noise), 0, all, i * pixels.length, pixels.length);
        }
        return Tensors.of(sub, all, new Shape(chunk.size()).addAll(new Shape(shape).slice(1)));
    }

    /**
     * The running mean of maps turned back to the image's orientation. A stack holds either one map per
     * copy (a batch of copies) or, for a single copy, several maps (one per neuron).
     */
    private static final class Mean {
        private double[] sum;
        private int n;
        private int count;
        private int depth;
        private int height;
        private int width;

        void addTurnedBack(MapStack maps, List<Copy> copies) {
            int perCopy = maps.count() / copies.size();
            int plane = maps.height() * maps.width();
            int size = perCopy * maps.depth() * plane;
            for (int i = 0; i < copies.size(); i++) {
                int t = copies.get(i).transform();
                float[] v = Dihedral.invert(t, java.util.Arrays.copyOfRange(maps.data(), i * size, (i + 1) * size),
                        maps.height(), maps.width());
                if (sum == null) {
                    sum = new double[size];
                    count = perCopy;
                    depth = maps.depth();
                    boolean swapped = t % 2 == 1;
                    height = swapped ? maps.width() : maps.height();
                    width = swapped ? maps.height() : maps.width();
                }
                for (int j = 0; j < size; j++) {
                    sum[j] += v[j];
                }
                n++;
            }
        }

        MapStack result(String label) {
            float[] out = new float[sum.length];
            for (int j = 0; j < sum.length; j++) {
                out[j] = (float) (sum[j] / n);
            }
            List<String> labels = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                labels.add(label == null ? "map " + (k + 1) : label);
            }
            return new MapStack(out, count, depth, height, width, labels);
        }
    }
}
