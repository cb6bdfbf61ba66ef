package org.cnnexplain.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cnnexplain.UserError;
import org.cnnexplain.graph.Graph;

/**
 * A loaded classifier whose every layer can be tapped: the graph, its
 * executor, the spec, and the device it runs on.
 *
 * <pre>{@code
 * try (ExplainableModel m = ModelLoader.load(Path.of("demo.onnx"), "auto");
 *      NDManager run = m.newRun()) {
 *     Forward f = m.forward(run, batch, List.of("block4"));
 *     f.logits();          // (N, classes)
 *     f.tap("block4");     // (N, 64, 16, 16)
 * }
 * }</pre>
 *
 * Thread-safe for concurrent forward passes, each in its own run manager.
 */
public final class ExplainableModel implements AutoCloseable {

    private final Path path;
    private final Network network;
    private final ModelSpec spec;
    private final Device device;
    private final NDManager manager;
    /** Layer tables by input shape, the most recent few: each costs one forward pass to make. */
    private final Map<List<Long>, List<Layer>> layersBySize = new java.util.LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<Long>, List<Layer>> eldest) {
            return size() > 8;
        }
    };
    private volatile InputSizes sizes;

    ExplainableModel(Path path, Network network, ModelSpec spec, Device device, NDManager manager) {
        this.path = path;
        this.network = network;
        this.spec = spec;
        this.device = device;
        this.manager = manager;
    }

    /** Outputs of one forward pass: the class scores and the tapped activations by the name they were asked for. */
    public record Forward(NDArray logits, Map<String, NDArray> taps) {
        public NDArray tap(String name) {
            return taps.get(name);
        }
    }

    public Path path() {
        return path;
    }

    /** The ONNX graph, or null for a TorchScript module. */
    public Graph graph() {
        return network.graph();
    }

    /** The graph, for a method that walks it node by node; a user error naming {@code method} when there is none. */
    public Graph requireGraph(String method) {
        if (network.graph() == null) {
            throw new UserError(method + " is not available: " + network.limitation());
        }
        return network.graph();
    }

    /** Why methods at a layer are unavailable (a TorchScript module without a cut), or null. */
    public String limitation() {
        return network.limitation();
    }

    public Device device() {
        return device;
    }

    /** A sub-manager for one run; close it and every tensor of the run is freed. */
    public NDManager newRun() {
        return manager.newSubManager(device);
    }

    public String inputName() {
        return network.inputName();
    }

    public String outputName() {
        return network.outputName();
    }

    /**
     * Input shape (N, C, spatial...) for a batch of one: from the spec when it
     * gives one, else from the ONNX input declaration; dynamic sizes stay -1.
     */
    public long[] inputShape() {
        if (spec != null && spec.input() != null && spec.input().shape() != null) {
            return spec.input().shape().clone();
        }
        long[] s = network.declaredInputShape();
        if (s.length == 0) {
            throw new UserError("model '" + path.getFileName() + "' does not declare its input shape; give it in "
                    + ModelSpec.fileFor(path).getFileName() + " as input.shape, e.g. [1, 1, 128, 128]");
        }
        if (s.length > 0) {
            s[0] = 1;
        }
        return s;
    }

    /** The fixed input width and height, or null when the model takes any size. */
    public int[] fixedSize() {
        long[] s = inputShape();
        int n = s.length;
        if (n >= 4 && s[n - 2] > 0 && s[n - 1] > 0) {
            return new int[] {(int) s[n - 1], (int) s[n - 2]};
        }
        return null;
    }

    /** A 3-D model: its input is (N, C, D, H, W), one z-stack per sample. */
    public boolean isVolumetric() {
        return inputShape().length == 5;
    }

    /** The number of z-slices a 3-D model requires, or -1 when any (or when it is 2-D). */
    public int fixedDepth() {
        long[] s = inputShape();
        return s.length == 5 && s[2] > 0 ? (int) s[2] : -1;
    }

    /** A model whose output has spatial axes (N, K, h, w): a per-pixel classifier such as a U-Net. */
    public boolean hasSpatialOutput() {
        return outputLayer().isSpatial();
    }

    public int inputChannels() {
        long[] s = inputShape();
        if (s.length < 2 || s[1] <= 0) {
            throw new UserError("model '" + path.getFileName() + "' does not declare its input channel count;"
                    + " give it in the spec file (input.shape)");
        }
        return (int) s[1];
    }

    /** Class names from the spec, else "0", "1", ... for every output score. */
    public List<String> classNames() {
        if (spec != null && spec.classes() != null && !spec.classes().isEmpty()) {
            return spec.classes();
        }
        int n = (int) layersOutputSize();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(Integer.toString(i));
        }
        return names;
    }

    public ModelSpec spec() {
        return spec;
    }

    /**
     * How this model's scores become probabilities, given one of its outputs (N, K, ...): the spec's
     * {@code activation}, else softmax for K > 1 classes and sigmoid for a single output.
     */
    public ModelSpec.Activation activation(NDArray output) {
        Shape s = output.getShape();
        return activation(s.dimension() > 1 ? s.get(1) : s.get(0));
    }

    /** How the scores of a model with {@code classes} outputs (per sample or per pixel) become probabilities. */
    public ModelSpec.Activation activation(long classes) {
        return (spec != null ? spec : new ModelSpec(null, null, null, null)).activationFor(classes);
    }

    /** Forward pass of {@code input} (N, C, ...) with the layers named in {@code taps} recorded. */
    public Forward forward(NDManager run, NDArray input, Collection<String> taps) {
        Map<String, String> tensorOf = new java.util.LinkedHashMap<>();
        for (String t : taps) {
            tensorOf.put(t, LayerNames.resolve(t, namesOnly(), path.getFileName().toString()).output());
        }
        Set<String> wanted = new LinkedHashSet<>();
        wanted.add(outputName());
        wanted.addAll(tensorOf.values());
        Map<String, NDArray> out = network.run(run, checkInput(input), wanted, null);
        Map<String, NDArray> tapped = new java.util.LinkedHashMap<>();
        tensorOf.forEach((name, tensor) -> tapped.put(name, out.get(tensor)));
        return new Forward(out.get(outputName()), tapped);
    }

    /**
     * The model's output for {@code input} of any size it takes: mirrored out to the next size the
     * model accepts when it takes only multiples ({@link InputPadding}), a per-pixel output cropped back.
     */
    public NDArray logits(NDManager run, NDArray input) {
        InputPadding padding = InputPadding.of(this, input.getShape().getShape());
        NDArray x = padding.none() ? input : padding.pad(input);
        return padding.crop(forward(run, x, List.of()).logits());
    }

    /**
     * Runs the graph on {@code input} (checked against the model's input shape) and returns the
     * {@code wanted} tensors; {@code hook} as in {@link Executor#run(NDManager, Map, java.util.Collection,
     * java.util.function.BiFunction)}. The explanation methods use this for their own taps.
     * (TorchScript: the only tensors are the output and the {@code features} cut.)
     */
    public Map<String, NDArray> run(NDManager run, NDArray input, Collection<String> wanted,
                                    java.util.function.BiFunction<String, NDArray, NDArray> hook) {
        return network.run(run, checkInput(input), wanted, hook);
    }

    private NDArray checkInput(NDArray input) {
        long[] want = inputShape();
        Shape got = input.getShape();
        if (want.length > 0 && want.length != got.dimension()) {
            throw new UserError("model '" + path.getFileName() + "' takes rank-" + want.length + " input "
                    + java.util.Arrays.toString(want) + ", got " + got);
        }
        if (want.length > 1 && want[1] > 0 && got.get(1) != want[1]) {
            throw new UserError("model '" + path.getFileName() + "' expects " + want[1] + " input channel(s), got "
                    + got.get(1));
        }
        for (int i = 2; i < want.length; i++) {
            if (want[i] > 0 && got.get(i) != want[i]) {
                throw new UserError("model '" + path.getFileName() + "' expects input of " + size(want) + " pixels, the image is "
                        + size(got.getShape()) + " (use fit=resize, on the command line --fit resize, or scale it first)");
            }
        }
        if (want.length > 2 && java.util.Arrays.stream(want, 2, want.length).anyMatch(d -> d <= 0)) {
            sizes().check(got.getShape());
            checkFits(got.getShape());   // any size goes in: make sure this one fits
        }
        return input;
    }

    /**
     * Refuses an input whose activations would not fit in this machine's memory (see {@link MemoryBudget}).
     */
    public void checkFits(long[] inputShape) {
        if (takesAnySize()) {
            long[] probe = sizes().probeShape();
            MemoryBudget.check(inputShape, probe, () -> layersUnchecked(probe));
        } else {
            MemoryBudget.check(inputShape, referenceShape(), this::layers);
        }
    }

    /** A model whose spatial input size is not fixed: it takes each image at its own size. */
    public boolean takesAnySize() {
        long[] s = inputShape();
        return s.length > 2 && java.util.Arrays.stream(s, 2, s.length).anyMatch(d -> d <= 0);
    }

    /** What sizes a model that takes any size accepts (the multiple per axis), and its default size. */
    public InputSizes sizes() {
        InputSizes s = sizes;
        if (s == null) {
            synchronized (this) {
                if (sizes == null) {
                    sizes = InputSizes.of(this, network.graph());
                }
                s = sizes;
            }
        }
        return s;
    }

    /**
     * The input shape the default layer table is made for: the fixed shape, or for a model that
     * takes any size {@link InputSizes#defaultShape()} (256 x 256 pixels, or 32 x 128 x 128 for 3-D,
     * grown to the model's multiple).
     */
    public long[] referenceShape() {
        return takesAnySize() ? sizes().defaultShape() : fixedShape();
    }

    private long[] fixedShape() {
        long[] shape = inputShape();
        for (long d : shape) {
            if (d <= 0) {
                throw new UserError("model '" + path.getFileName() + "' does not declare its input channel count;"
                        + " give it in the spec file (input.shape)");
            }
        }
        return shape;
    }

    /** The input shape of one sample of (N, C, spatial...) {@code spatial} for this model, e.g. [1, 1, 40, 72]. */
    public long[] shapeFor(long... spatial) {
        long[] s = inputShape();
        if (spatial.length != s.length - 2) {
            throw new UserError("model '" + path.getFileName() + "' takes " + (s.length - 2)
                    + "-D images; the size " + java.util.Arrays.toString(spatial) + " has " + spatial.length + " axes");
        }
        long[] out = new long[s.length];
        out[0] = 1;
        out[1] = inputChannels();
        System.arraycopy(spatial, 0, out, 2, spatial.length);
        return out;
    }

    /** "128 x 128" from (N, C, H, W); "32 x 128 x 128" for (N, C, D, H, W). */
    private static String size(long[] shape) {
        return java.util.Arrays.stream(shape, 2, shape.length).mapToObj(Long::toString)
                .collect(java.util.stream.Collectors.joining(" x "));
    }

    /** Every node with the shape of its output for one input of {@link #referenceShape()}. */
    public List<Layer> layers() {
        return layers(referenceShape());
    }

    /**
     * Every node with the shape of its output for one input of {@code inputShape} (the batch axis is
     * taken as 1); computed once per size (one forward pass of zeros) and cached for the last few sizes.
     */
    public List<Layer> layers(long[] inputShape) {
        long[] one = inputShape.clone();
        one[0] = 1;
        if (takesAnySize()) {
            sizes().check(one);
        }
        return layersUnchecked(one);
    }

    /** {@link #layers(long[])} without asking whether the model takes that size (what finding it out needs). */
    List<Layer> layersUnchecked(long[] one) {
        List<Long> key = java.util.Arrays.stream(one).boxed().toList();
        synchronized (layersBySize) {
            List<Layer> l = layersBySize.get(key);
            if (l != null) {
                return l;
            }
        }
        List<Layer> computed;
        try (NDManager run = newRun()) {
            computed = List.copyOf(network.layers(run, one));
        } catch (ai.djl.engine.EngineException | IllegalArgumentException | UserError e) {
            if (!takesAnySize()) {
                throw e;
            }
            throw new UserError("model '" + path.getFileName() + "' at an input of " + size(one) + " pixels: "
                    + firstLine(e.getMessage()));
        }
        synchronized (layersBySize) {
            layersBySize.put(key, computed);
        }
        return computed;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** Classes are axis 1 of the output: (N, K) for a classifier, (N, K, h, w) for a segmentation net. */
    private long layersOutputSize() {
        long[] shape = outputLayer().shape();
        return shape.length > 1 ? shape[1] : shape[0];
    }

    /**
     * A layer table for what does not depend on the input size (names, ranks, channel counts): for a
     * model that takes any size the probe's, which is made anyway, rather than the default size's.
     */
    private List<Layer> namesOnly() {
        return takesAnySize() ? layersUnchecked(sizes().probeShape()) : layers();
    }

    private Layer outputLayer() {
        for (Layer layer : namesOnly()) {
            if (layer.output().equals(outputName())) {
                return layer;
            }
        }
        throw new UserError("model output '" + outputName() + "' not found among its layers");
    }

    /** A node name, an output tensor name, or a module path prefix (see {@link LayerNames}). */
    public Layer resolveLayer(String name) {
        return LayerNames.resolve(name, layers(), path.getFileName().toString());
    }

    /** Like {@link #resolveLayer(String)}, with the layer's shape for an input of {@code inputShape}. */
    public Layer resolveLayer(String name, long[] inputShape) {
        return LayerNames.resolve(name, layers(inputShape), path.getFileName().toString());
    }

    @Override
    public void close() {
        network.close();
        manager.close();
    }
}
