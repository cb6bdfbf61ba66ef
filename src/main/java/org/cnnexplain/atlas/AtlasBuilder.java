package org.cnnexplain.atlas;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.Backprop;
import org.cnnexplain.explain.Cam;
import org.cnnexplain.explain.FeatureMaps;
import org.cnnexplain.explain.LayerChoice;
import org.cnnexplain.explain.LayerGradients;
import org.cnnexplain.explain.Target;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;

/**
 * Makes the neuron atlas of a layer over a folder or stack in two passes.
 *
 * <ol>
 *   <li>Every sample once: one forward pass with the layer tapped (and, for the importance, one backward
 *       pass from the predicted class's logit — {@link LayerGradients}). Each chosen channel offers its
 *       neurons to its {@link TopK} heap — with {@code distinct}, only its strongest neuron in the sample
 *       (the first in row order on a tie), as Zeiler and Fergus show one patch per image — and the
 *       {@link Importance} adds the sample's Grad-CAM weights to its predicted class. Nothing else is kept.</li>
 *   <li>Only the units holding a kept neuron again: for each kept neuron, its receptive field
 *       ({@link ReceptiveField}) is cut from the model's input, and the neuron alone (its activation, every
 *       other one zero) is projected to the input with the reverse pass of {@link Backprop} and cut the same.</li>
 * </ol>
 * Memory is K neurons per channel plus one unit's tensors, however long the folder: 10,000 images work.
 *
 * <pre>{@code
 * Atlas a = new AtlasBuilder(model, new AtlasBuilder.Options("block4", null, 0, 9, true, true,
 *         Backprop.Rule.DECONVNET, true)).build(AtlasInput.folder(dir, model, "model", "error"), Listener.NONE);
 * a.rows().get(12).cells().get(0).box();   // where channel 12's strongest neuron looks
 * }</pre>
 */
public final class AtlasBuilder {

    /** Samples per forward pass, and projections per reverse pass: bounds the tensors alive at once. */
    static final int CHUNK = 8;

    /**
     * What to make.
     *
     * @param layer       layer name, module path or auto
     * @param channels    0-based channels, or null for the first {@code first} (all when first is 0)
     * @param first       with no list: how many channels from 0 (0 = all)
     * @param top         K neurons per channel
     * @param distinct    at most one neuron per sample and channel
     * @param importance  also the class → channel importance (one backward pass per sample)
     * @param rule        reverse-pass rule of the projections
     * @param projections cut patches and project the kept neurons (the second pass); off: the top-K lists only
     */
    public record Options(String layer, int[] channels, int first, int top, boolean distinct, boolean importance,
                          Backprop.Rule rule, boolean projections) {
    }

    /** Progress over the units, and whether the user cancelled. */
    public interface Listener {
        Listener NONE = new Listener() {
            @Override
            public void progress(String phase, int done, int total) {
            }

            @Override
            public boolean cancelled() {
                return false;
            }
        };

        /** {@code phase} is "reading" (first pass) or "projecting" (second pass). */
        void progress(String phase, int done, int total);

        boolean cancelled();
    }

    private final ExplainableModel model;
    private final Options options;
    private final Map<List<Long>, ReceptiveField> fields = new HashMap<>();

    public AtlasBuilder(ExplainableModel model, Options options) {
        if (options.top() < 1) {
            throw new UserError("top must be at least 1, got " + options.top());
        }
        if (options.first() < 0) {
            throw new UserError("first must be 0 (all channels) or more, got " + options.first());
        }
        if (model.hasSpatialOutput()) {
            throw new UserError("the neuron atlas is for classifiers (one prediction per image); '"
                    + model.path().getFileName() + "' has a per-pixel output");
        }
        this.model = model;
        this.options = options;
    }

    /** The atlas, or null when the listener said to cancel. */
    public Atlas build(AtlasInput input, Listener listener) {
        Pass pass = new Pass();
        for (int u = 0; u < input.size(); u++) {
            if (listener.cancelled()) {
                return null;
            }
            AtlasInput.Unit unit = input.load(u);
            TensorBatch b = unit.samples();
            Layer l = LayerChoice.spatial(model, options.layer(), "Neuron Atlas", shapeOf(b));
            if (pass.layer == null) {
                pass.start(l);
            } else if (!l.output().equals(pass.layer.output())) {
                throw new UserError(unit.name() + ": layer 'auto' means '" + l.name() + "' at this image size, '"
                        + pass.layer.name() + "' for the first image; name the layer");
            }
            for (int s = 0; s < b.size(); s++) {
                pass.add(u, s, b);
            }
            listener.progress("reading", u + 1, input.size());
        }
        pass.flush();
        if (pass.layer == null) {
            throw new UserError("no images to make an atlas of");
        }
        List<List<Neuron>> kept = new ArrayList<>();
        for (TopK h : pass.heaps) {
            kept.add(h.sorted());
        }
        Map<Neuron, Atlas.Cell> cells = options.projections() ? cells(input, pass.layer, kept, listener)
                : new HashMap<>();
        if (cells == null) {
            return null;
        }
        List<Atlas.Row> rows = new ArrayList<>();
        for (int i = 0; i < pass.chosen.length; i++) {
            List<Atlas.Cell> row = new ArrayList<>();
            for (Neuron n : kept.get(i)) {
                row.add(cells.getOrDefault(n, new Atlas.Cell(n, null, 0, null, null, 0, null, null)));
            }
            rows.add(new Atlas.Row(pass.chosen[i], row));
        }
        return new Atlas(pass.layer.name(), model.classNames(), options.top(), options.distinct(),
                options.rule().fileName(), rows, pass.importance, pass.samples);
    }

    /**
     * The first pass's state: the heaps, the importance, and up to {@link #CHUNK} samples waiting to go
     * through the model together (consecutive samples of the same size, from one unit or several).
     */
    private final class Pass {
        Layer layer;
        int[] chosen;
        TopK[] heaps;
        Importance importance;
        int samples;
        private final List<float[]> pending = new ArrayList<>();
        private final List<int[]> where = new ArrayList<>();   // {unit, sample}
        private long[] pendingShape;

        void start(Layer l) {
            layer = l;
            int c = (int) l.shape()[1];
            chosen = chooseChannels(l, c);
            heaps = new TopK[chosen.length];
            for (int i = 0; i < heaps.length; i++) {
                heaps[i] = new TopK(options.top());
            }
            importance = options.importance() ? new Importance(model.classNames(), c, Cam.weightsAt(model, l)) : null;
        }

        void add(int unit, int sample, TensorBatch b) {
            long[] shape = shapeOf(b);
            if (pendingShape != null && !java.util.Arrays.equals(shape, pendingShape)) {
                flush();
            }
            pendingShape = shape;
            pending.add(b.sample(sample));
            where.add(new int[] {unit, sample});
            if (pending.size() == CHUNK) {
                flush();
            }
        }

        void flush() {
            if (pending.isEmpty()) {
                return;
            }
            int n = pending.size();
            int per = pending.get(0).length;
            float[] data = new float[n * per];
            for (int i = 0; i < n; i++) {
                System.arraycopy(pending.get(i), 0, data, i * per, per);
            }
            Layer l = model.resolveLayer(layer.output(), pendingShape);
            try (NDManager run = model.newRun()) {
                long[] batchShape = pendingShape.clone();
                batchShape[0] = n;
                NDArray x = Tensors.of(run, data, new Shape(batchShape));
                LayerGradients lg = options.importance()
                        ? LayerGradients.compute(model, run, x, l, Target.top1())
                        : LayerGradients.activationsOnly(model, run, x, l, Target.top1());
                long[] shape = lg.activations().getShape().getShape();
                float[] a = lg.activations().toFloatArray();
                float[] g = lg.gradients() == null ? null : lg.gradients().toFloatArray();
                int size = (int) (shape[1] * shape[2] * shape[3]);
                for (int s = 0; s < n; s++) {
                    int cls = lg.classes()[s];
                    if (importance != null) {
                        importance.add(cls, a, g, s * size, (int) (shape[2] * shape[3]));
                    }
                    offer(heaps, chosen, a, s * size, (int) shape[2], (int) shape[3], where.get(s)[0],
                            where.get(s)[1], cls);
                }
            }
            samples += n;
            pending.clear();
            where.clear();
        }
    }

    private int[] chooseChannels(Layer l, int c) {
        if (options.channels() != null) {
            return FeatureMaps.checked(options.channels(), c, l);
        }
        int n = options.first() == 0 ? c : Math.min(options.first(), c);
        return java.util.stream.IntStream.range(0, n).toArray();
    }

    private long[] shapeOf(TensorBatch b) {
        return new long[] {1, model.inputChannels(), b.height(), b.width()};
    }

    private void offer(TopK[] heaps, int[] chosen, float[] a, int offset, int h, int w, int unit, int sample, int cls) {
        int hw = h * w;
        for (int i = 0; i < chosen.length; i++) {
            int base = offset + chosen[i] * hw;
            if (options.distinct()) {
                int best = 0;
                for (int p = 1; p < hw; p++) {
                    if (a[base + p] > a[base + best]) {
                        best = p;
                    }
                }
                offerOne(heaps[i], chosen[i], a[base + best], unit, sample, best % w, best / w, cls);
            } else {
                for (int p = 0; p < hw; p++) {
                    offerOne(heaps[i], chosen[i], a[base + p], unit, sample, p % w, p / w, cls);
                }
            }
        }
    }

    private static void offerOne(TopK heap, int channel, float v, int unit, int sample, int x, int y, int cls) {
        if (!Float.isNaN(v) && heap.admits(v, unit, sample, x, y)) {
            heap.offer(new Neuron(channel, v, unit, sample, x, y, cls));
        }
    }

    /**
     * The second pass: patches and projections of the kept neurons, unit by unit; null when cancelled.
     * Neurons go through the reverse pass {@link #CHUNK} at a time, each with a copy of its own sample
     * (samples of one size batch together, from one unit or several).
     */
    private Map<Neuron, Atlas.Cell> cells(AtlasInput input, Layer layer, List<List<Neuron>> kept, Listener listener) {
        TreeMap<Integer, List<Neuron>> byUnit = new TreeMap<>();
        kept.forEach(row -> row.forEach(n -> byUnit.computeIfAbsent(n.unit(), k -> new ArrayList<>()).add(n)));
        Map<Neuron, Atlas.Cell> cells = new HashMap<>();
        List<Pending> pending = new ArrayList<>();
        int done = 0;
        for (var unitEntry : byUnit.entrySet()) {
            if (listener.cancelled()) {
                return null;
            }
            AtlasInput.Unit unit = input.load(unitEntry.getKey());
            TensorBatch b = unit.samples();
            long[] inShape = shapeOf(b);
            if (!pending.isEmpty() && !java.util.Arrays.equals(pending.get(0).shape, inShape)) {
                project(pending, layer, cells);
            }
            for (Neuron n : unitEntry.getValue()) {
                pending.add(new Pending(n, unit.name(), unit.firstSlice() + n.sample(), b.sample(n.sample()), inShape));
                if (pending.size() == CHUNK) {
                    project(pending, layer, cells);
                }
            }
            listener.progress("projecting", ++done, byUnit.size());
        }
        project(pending, layer, cells);
        return cells;
    }

    /** A kept neuron waiting for its reverse pass, with its sample's pixels (C × H × W) and input shape. */
    private record Pending(Neuron neuron, String image, int slice, float[] pixels, long[] shape) {
    }

    /** The reverse pass of each pending neuron alone, then its cell; empties {@code pending}. */
    private void project(List<Pending> pending, Layer layer, Map<Neuron, Atlas.Cell> cells) {
        if (pending.isEmpty()) {
            return;
        }
        long[] inShape = pending.get(0).shape;
        Layer l = model.resolveLayer(layer.output(), inShape);
        ReceptiveField rf = fields.computeIfAbsent(java.util.Arrays.stream(inShape).boxed().toList(),
                k -> ReceptiveField.of(model, l, inShape));
        int n = pending.size();
        int c = (int) inShape[1];
        int height = (int) inShape[2];
        int width = (int) inShape[3];
        int plane = c * height * width;
        long[] ls = l.shape();
        int hw = (int) (ls[2] * ls[3]);
        int per = (int) ls[1] * hw;
        float[] pixels = new float[n * plane];
        float[] seeds = new float[n * per];
        for (int i = 0; i < n; i++) {
            Neuron nr = pending.get(i).neuron;
            System.arraycopy(pending.get(i).pixels, 0, pixels, i * plane, plane);
            seeds[i * per + nr.channel() * hw + nr.y() * (int) ls[3] + nr.x()] = nr.activation();
        }
        float[] back;
        try (NDManager run = model.newRun()) {
            NDArray x = Tensors.of(run, pixels, new Shape(n, c, height, width));
            NDArray seed = Tensors.of(run, seeds, new Shape(n, ls[1], ls[2], ls[3]));
            back = Backprop.toInput(model, run, x, l.output(), seed, options.rule()).toFloatArray();
        }
        for (int i = 0; i < n; i++) {
            Pending p = pending.get(i);
            Neuron nr = p.neuron;
            ReceptiveField.Box box = rf.box(nr.x(), nr.y(), width, height);
            cells.put(nr, new Atlas.Cell(nr, p.image, p.slice, box, rf.unclipped(nr.x(), nr.y(), width, height), c,
                    crop(p.pixels, 0, c, width, height, box), crop(back, i * plane, c, width, height, box)));
        }
        pending.clear();
    }

    /** Channels {@code c} of the box from a C × height × width image starting at {@code offset}. */
    static float[] crop(float[] image, int offset, int c, int width, int height, ReceptiveField.Box box) {
        int h = box.height();
        int w = box.width();
        float[] out = new float[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            int plane = offset + ch * width * height;
            for (int y = 0; y < h; y++) {
                System.arraycopy(image, plane + (box.y0() + y) * width + box.x0(), out, (ch * h + y) * w, w);
            }
        }
        return out;
    }
}
