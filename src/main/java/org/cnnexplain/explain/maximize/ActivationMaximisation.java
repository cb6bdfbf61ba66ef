package org.cnnexplain.explain.maximize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.LayerGradients;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.DeviceChoice;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Prediction;

/**
 * Synthesises, for each {@link Unit}, the input that maximises it: gradient ascent from seeded noise on
 * the objective y_u(x) − decay·mean(u²) − tv·mean(|∇u|), where x = low + (high − low)·u, u = sigmoid(v), v
 * the image of the parameters ({@link Parameterisation}), and y_u is evaluated on a {@link RandomWarp} of x
 * that changes every step. y_u is the mean of a channel's map, one neuron, or a class logit ({@link Probe}:
 * before a final ReLU or softmax). Every unit is one sample of one batch: a step is one forward and one
 * backward pass of the whole batch through the engine, then an {@link Adam} step of every parameter.
 *
 * <pre>{@code
 * List<Unit> units = List.of(Unit.classScore(1, "mitotic"), Unit.channel("block4", 7));
 * Settings s = new Settings(128, 0.05, 0, Range.of(0, 1), Regularisers.DEFAULT);
 * ActivationMaximisation.Result r = ActivationMaximisation.run(model, units, s, null);
 * r.stack();          // one image per unit, in the model's input space
 * r.activation()[1];  // the mean of block4's channel 7 on its synthesised image
 * }</pre>
 *
 * <p>Deterministic for a fixed seed: the starting noise and the warps of unit i come from random streams
 * seeded by the seed and the unit's description, so a unit gets the same draws alone or in any batch.
 */
public final class ActivationMaximisation {

    /** Starting noise: the parameters' standard deviation (the image v starts at about this σ around 0). */
    static final double INIT_SIGMA = 0.1;

    /** What the dialog and the command line offer unless told otherwise. */
    public static final int DEFAULT_STEPS = 128;
    public static final double DEFAULT_RATE = 0.1;

    /** Called before each step; returns false to stop (cancel) the run. */
    @FunctionalInterface
    public interface Listener {
        boolean step(int done, int total);
    }

    /**
     * The synthesised images and what they reach, unit by unit.
     *
     * @param inputs      N·C·H·W values in the model's input space (after normalisation)
     * @param objective   the maximised value per unit (pre-ReLU / logit) on its final image, without warp
     * @param activation  the unit's value in the layer as named (the class logit) on its final image
     * @param probability the class's probability for class units, NaN for the others
     * @param steps       the steps run (fewer than asked when cancelled)
     */
    public record Result(List<Unit> units, float[] inputs, int channels, int height, int width, float[] objective,
                         float[] activation, float[] probability, Settings settings, int steps) {

        public boolean cancelled() {
            return steps < settings.steps();
        }

        /** One image per unit (C planes each), labelled with the unit and the activation it reaches. */
        public org.cnnexplain.explain.MapStack stack() {
            List<String> labels = new ArrayList<>();
            for (int i = 0; i < units.size(); i++) {
                labels.add(label(i));
            }
            return org.cnnexplain.explain.MapStack.perChannel(inputs, units.size(), channels,
                    new int[] {1, height, width}, labels);
        }

        /** "block4 channel 7 (activation 3.21)", "class mitotic (logit 12.3, p 0.999)". */
        public String label(int i) {
            Unit u = units.get(i);
            return u.describe() + (u.kind() == Unit.Kind.CLASS
                    ? String.format(java.util.Locale.ROOT, " (logit %.3g, p %.3f)", activation[i], probability[i])
                    : String.format(java.util.Locale.ROOT, " (activation %.3g)", activation[i]));
        }
    }

    private ActivationMaximisation() {
    }

    /** The shape of one synthesised input: the model's fixed input, or its default size if it takes any. */
    public static long[] inputShape(ExplainableModel model) {
        if (model.isVolumetric()) {
            throw new UserError("activation maximisation supports 2-D models; " + model.path().getFileName()
                    + " takes z-stacks");
        }
        long[] shape = model.referenceShape().clone();
        shape[0] = 1;
        return shape;
    }

    public static Result run(ExplainableModel model, List<Unit> units, Settings s, Listener listener) {
        if (units.isEmpty()) {
            throw new UserError("nothing to maximise: give a class, or a layer and its channels");
        }
        long[] one = inputShape(model);
        int n = units.size();
        int c = (int) one[1];
        int h = (int) one[2];
        int w = (int) one[3];
        int size = c * h * w;
        List<Probe> probes = new ArrayList<>();
        for (Unit u : units) {
            probes.add(Probe.of(model, u, one));
        }
        Regularisers reg = s.regularisers();
        float[] p = new float[n * size];
        SplittableRandom[] warps = new SplittableRandom[n];
        for (int i = 0; i < n; i++) {
            long key = s.seed() * 1_000_003L + units.get(i).describe().hashCode();
            SplittableRandom init = new SplittableRandom(key);
            for (int j = 0; j < size; j++) {
                p[i * size + j] = (float) (INIT_SIGMA * init.nextGaussian());
            }
            warps[i] = new SplittableRandom(key * 31 + 17);
        }
        Shape shape = new Shape(n, c, h, w);
        Adam adam = new Adam(p.length, s.rate());
        int done = 0;
        try (NDManager run = model.newRun();
             Parameterisation param = Parameterisation.of(reg.fourier(), run, c, h, w)) {
            Map<String, NDArray> weights = objectiveWeights(run, probes);
            NDArray low = rangeTensor(run, s.range(), c, false);
            NDArray span = rangeTensor(run, s.range(), c, true);
            for (; done < s.steps(); done++) {
                if (listener != null && !listener.step(done, s.steps())) {
                    break;
                }
                RandomWarp.Draw[] draws = new RandomWarp.Draw[n];
                for (int i = 0; i < n; i++) {
                    draws[i] = RandomWarp.Draw.of(warps[i], reg);
                }
                adam.ascend(p, gradient(model, run, param, weights, low, span, reg, p, shape, draws));
                if (reg.blur() > 0 && (done + 1) % reg.blurevery() == 0) {
                    param.blur(p, n, reg.blur());
                }
            }
            if (listener != null && done == s.steps()) {
                listener.step(done, s.steps());
            }
            return finish(model, run, param, probes, p, shape, low, span, s, done);
        }
    }

    /**
     * d/dp of Σ_units [y_u(T(x)) − decay·mean(u²) − tv·mean(|∇u|)] at parameters {@code p}, the warps
     * {@code draws} (ignored when the regularisers do not warp): one forward and one backward pass.
     */
    private static float[] gradient(ExplainableModel model, NDManager run, Parameterisation param,
                                    Map<String, NDArray> weights, NDArray low, NDArray span, Regularisers reg,
                                    float[] p, Shape shape, RandomWarp.Draw[] draws) {
        int n = (int) shape.get(0);
        try (NDManager step = run.newSubManager()) {
            NDArray pt = Tensors.of(step, p, shape);
            synchronized (LayerGradients.AUTOGRAD_LOCK) {
                try (GradientCollector collector = DeviceChoice.engine().newGradientCollector()) {
                    pt.setRequiresGradient(true);
                    NDArray u = Activation.sigmoid(param.image(pt));
                    NDArray x = u.mul(Tensors.viewIn(step, span)).add(Tensors.viewIn(step, low));
                    NDArray seen = reg.warps() ? RandomWarp.apply(x, draws) : x;
                    Map<String, NDArray> out = model.run(step, seen, weights.keySet(), null);
                    NDArray total = objectives(step, out, weights, n).sum().sub(penalty(step, u, reg, n));
                    collector.backward(total);
                    return pt.getGradient().toFloatArray();
                }
            }
        }
    }

    /** The objective's gradient at parameters {@code p} without warp, as the first step sees it (gradient checks). */
    static float[] gradientAt(ExplainableModel model, List<Unit> units, Settings s, float[] p) {
        if (s.regularisers().warps()) {
            throw new IllegalArgumentException("a gradient check runs without warp (jitter, scaling, rotation 0)");
        }
        long[] one = inputShape(model);
        Shape shape = new Shape(units.size(), one[1], one[2], one[3]);
        List<Probe> probes = new ArrayList<>();
        for (Unit u : units) {
            probes.add(Probe.of(model, u, one));
        }
        try (NDManager run = model.newRun();
             Parameterisation param = Parameterisation.of(s.regularisers().fourier(), run, (int) one[1], (int) one[2],
                     (int) one[3])) {
            return gradient(model, run, param, objectiveWeights(run, probes), rangeTensor(run, s.range(), (int) one[1],
                    false), rangeTensor(run, s.range(), (int) one[1], true), s.regularisers(), p, shape, null);
        }
    }

    /** The final images, without warp, and what each unit reaches on its own. */
    private static Result finish(ExplainableModel model, NDManager run, Parameterisation param, List<Probe> probes,
                                 float[] p, Shape shape, NDArray low, NDArray span, Settings s, int done) {
        int n = probes.size();
        try (NDManager step = run.newSubManager()) {
            NDArray u = Activation.sigmoid(param.image(Tensors.of(step, p, shape)));
            NDArray x = u.mul(Tensors.viewIn(step, span)).add(Tensors.viewIn(step, low));
            float[] inputs = x.toFloatArray();
            Values v = Values.of(model, step, x, probes);
            float[] objective = new float[n];
            float[] activation = new float[n];
            float[] probability = new float[n];
            for (int i = 0; i < n; i++) {
                objective[i] = v.objective(i, i);
                activation[i] = v.measured(i, i);
                probability[i] = v.probability(i, i);
            }
            List<Unit> units = probes.stream().map(Probe::unit).toList();
            return new Result(units, inputs, (int) shape.get(1), (int) shape.get(2), (int) shape.get(3), objective,
                    activation, probability, s, done);
        }
    }

    /**
     * The largest value each unit takes over the samples of {@code images} (normalised model inputs), as
     * {@link Result#activation()} measures it: the reference a synthesised image's activation is compared with.
     */
    public static float[] maxOver(ExplainableModel model, List<Unit> units, List<TensorBatch> images) {
        float[] max = new float[units.size()];
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        for (TensorBatch b : images) {
            long[] one = inputShape(model).clone();
            one[2] = b.height();
            one[3] = b.width();
            List<Probe> probes = new ArrayList<>();
            for (Unit u : units) {
                probes.add(Probe.of(model, u, one));
            }
            for (int from = 0; from < b.size(); from += Prediction.BATCH) {
                int to = Math.min(b.size(), from + Prediction.BATCH);
                try (NDManager run = model.newRun()) {
                    Values v = Values.of(model, run, b.toNDArray(run, from, to), probes);
                    for (int sample = 0; sample < to - from; sample++) {
                        for (int i = 0; i < units.size(); i++) {
                            max[i] = Math.max(max[i], v.measured(i, sample));
                        }
                    }
                }
            }
        }
        return max;
    }

    /** Each channel's largest activation anywhere in the images (layer as named): how the top channels are chosen. */
    static float[] peakOver(ExplainableModel model, String layer, int channels, List<TensorBatch> images) {
        float[] max = new float[channels];
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        for (TensorBatch b : images) {
            for (int from = 0; from < b.size(); from += Prediction.BATCH) {
                int to = Math.min(b.size(), from + Prediction.BATCH);
                try (NDManager run = model.newRun()) {
                    float[] a = model.forward(run, b.toNDArray(run, from, to), List.of(layer)).tap(layer).toFloatArray();
                    int per = a.length / ((to - from) * channels);
                    for (int i = 0; i < a.length; i++) {
                        int c = i / per % channels;
                        max[c] = Math.max(max[c], a[i]);
                    }
                }
            }
        }
        return max;
    }

    /** Every tensor a probe reads, evaluated once for a batch (no gradient). */
    private record Values(List<Probe> probes, Map<String, float[]> tensors, float[] probabilities, int classes) {

        static Values of(ExplainableModel model, NDManager run, NDArray x, List<Probe> probes) {
            Set<String> wanted = new LinkedHashSet<>();
            wanted.add(model.outputName());
            for (Probe p : probes) {
                wanted.add(p.measured());
                wanted.add(p.objective());
            }
            Map<String, NDArray> out = model.run(run, x, wanted, null);
            Map<String, float[]> values = new LinkedHashMap<>();
            out.forEach((k, v) -> values.put(k, v.toFloatArray()));
            NDArray logits = out.get(model.outputName());
            int classes = (int) (logits.getShape().size() / logits.getShape().get(0));
            float[] prob = model.hasSpatialOutput() ? null
                    : Prediction.probabilities(logits, model.activation(logits)).toFloatArray();
            return new Values(probes, values, prob, classes);
        }

        float measured(int unit, int sample) {
            Probe p = probes.get(unit);
            return p.value(tensors.get(p.measured()), sample);
        }

        float objective(int unit, int sample) {
            Probe p = probes.get(unit);
            return p.value(tensors.get(p.objective()), sample);
        }

        float probability(int unit, int sample) {
            Probe p = probes.get(unit);
            return p.unit().kind() == Unit.Kind.CLASS && probabilities != null
                    ? probabilities[sample * classes + p.from()] : Float.NaN;
        }
    }

    /** Per objective tensor, (N, size) weights: 1/count on the values each sample's unit averages, else 0. */
    private static Map<String, NDArray> objectiveWeights(NDManager run, List<Probe> probes) {
        Map<String, float[]> w = new LinkedHashMap<>();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        int n = probes.size();
        for (int i = 0; i < n; i++) {
            Probe p = probes.get(i);
            float[] a = w.computeIfAbsent(p.objective(), k -> new float[n * p.size()]);
            sizes.put(p.objective(), p.size());
            for (int j = 0; j < p.count(); j++) {
                a[i * p.size() + p.from() + j] = 1f / p.count();
            }
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        w.forEach((k, a) -> out.put(k, Tensors.of(run, a, new Shape(n, sizes.get(k)))));
        return out;
    }

    /** Each sample's objective, (N,): the weighted sum over every objective tensor. */
    static NDArray objectives(NDManager step, Map<String, NDArray> out, Map<String, NDArray> weights, int n) {
        NDArray sum = null;
        for (Map.Entry<String, NDArray> e : weights.entrySet()) {
            NDArray y = out.get(e.getKey()).reshape(n, -1).mul(Tensors.viewIn(step, e.getValue())).sum(new int[] {1});
            sum = sum == null ? y : sum.add(y);
        }
        return sum;
    }

    /** decay·mean(u²) + tv·mean(|∇u|) per sample, summed over the batch. */
    private static NDArray penalty(NDManager step, NDArray u, Regularisers reg, int n) {
        NDArray total = Tensors.scalar(step, 0f);
        if (reg.decay() > 0) {
            total = total.add(u.square().mean().mul(Tensors.scalar(step, (float) (reg.decay() * n))));
        }
        if (reg.tv() > 0) {
            NDArray dx = u.get(":, :, :, 1:").sub(u.get(":, :, :, :-1")).abs().mean();
            NDArray dy = u.get(":, :, 1:, :").sub(u.get(":, :, :-1, :")).abs().mean();
            total = total.add(dx.add(dy).mul(Tensors.scalar(step, (float) (reg.tv() * n))));
        }
        return total;
    }

    /** (1, C, 1, 1): each channel's low end, or its span high − low. */
    private static NDArray rangeTensor(NDManager run, Range r, int c, boolean span) {
        float[] v = new float[c];
        for (int k = 0; k < c; k++) {
            v[k] = (float) (span ? r.high(k) - r.low(k) : r.low(k));
        }
        return Tensors.of(run, v, new Shape(1, c, 1, 1));
    }
}
