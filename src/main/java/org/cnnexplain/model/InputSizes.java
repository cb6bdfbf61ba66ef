package org.cnnexplain.model;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.cnnexplain.UserError;
import org.cnnexplain.graph.Graph;
import org.cnnexplain.graph.Node;

/**
 * The sizes a model with dynamic spatial axes accepts: each axis a multiple of
 * {@link #multiple()} (at least {@link #min()}), and the size its default layer table is made for.
 *
 * <p>Where the multiple comes from: the spec's {@code input.step} (bioimage.io {@code {min, step}}),
 * and the graph itself. A network merges paths (Concat, Add, Mul, ...) whose tensors must have the
 * same size. Paths that went through the same downsampling agree at any size (a ResNet's block and
 * its strided shortcut both round {@code ceil(h / 2)}), but a U-Net concatenates a skip connection
 * (stride 1) with a path that was pooled to stride 8 and upsampled back: {@code 8 * floor(h / 8)}
 * equals {@code h} only for multiples of 8. So the rule: run the graph once at a reference size, read
 * each tensor's stride from its size, and for every merge of inputs whose coarsest stride on the way
 * differs, require a multiple of the coarsest one. The probe is half the default size (128 x 128). Tensors of size 1 (a global pool broadcast back by a
 * squeeze-and-excitation gate) do not count.
 *
 * <pre>{@code
 * InputSizes s = model.sizes();        // the small U-Net of the tests: pools twice, concatenates skips
 * s.multiple();                        // [4, 4]
 * s.padded(new long[] {1, 1, 37, 50}); // [1, 1, 40, 52]
 * }</pre>
 */
public final class InputSizes {

    /** The default spatial size for a layer table when there is no image: 256 x 256, or 32 x 128 x 128 in 3-D. */
    static final long DEFAULT_2D = 256;
    static final long[] DEFAULT_3D = {32, 128, 128};

    /**
     * The size the graph is probed at to read its strides: half the default (a quarter of the work),
     * still exact for strides up to 64 in 2-D (the bottleneck of a 6-level U-Net is 2 x 2 there).
     */
    static final long PROBE_DIVISOR = 2;

    private static final List<String> MERGES = List.of("Add", "Sub", "Mul", "Div", "Concat", "Sum", "Max", "Min",
            "Mean", "Where");

    private final long[] multiple;
    private final long[] min;
    private final long[] defaultShape;
    private final long[] probeShape;
    private final String model;

    private InputSizes(long[] multiple, long[] min, long[] defaultShape, long[] probeShape, String model) {
        this.multiple = multiple;
        this.min = min;
        this.defaultShape = defaultShape;
        this.probeShape = probeShape;
        this.model = model;
    }

    static InputSizes of(ExplainableModel m, Graph graph) {
        long[] declared = m.inputShape();
        int rank = declared.length;
        int spatial = rank - 2;
        long[] step = new long[spatial];
        long[] min = new long[spatial];
        Arrays.fill(step, 1);
        Arrays.fill(min, 1);
        ModelSpec.Input in = m.spec() == null ? null : m.spec().input();
        for (int i = 0; i < spatial; i++) {
            if (declared[i + 2] > 0) {          // a fixed axis among dynamic ones (a 3-D model's depth)
                step[i] = 0;
                min[i] = declared[i + 2];
            }
            if (in != null && in.step() != null && in.step().length == rank && in.step()[i + 2] > 0) {
                step[i] = in.step()[i + 2];
            }
            if (in != null && in.min() != null && in.min().length == rank && in.min()[i + 2] > 0) {
                min[i] = in.min()[i + 2];
            }
        }
        long[] reference = new long[rank];
        reference[0] = 1;
        reference[1] = m.inputChannels();
        long[] probe = reference.clone();
        for (int i = 0; i < spatial; i++) {
            long want = spatial == 3 ? DEFAULT_3D[i] : DEFAULT_2D;
            reference[i + 2] = step[i] == 0 ? min[i] : grow(want, min[i], step[i]);
            probe[i + 2] = step[i] == 0 ? min[i] : grow(want / PROBE_DIVISOR, min[i], step[i]);
        }
        String name = m.path().getFileName().toString();
        if (graph == null) {
            return new InputSizes(step, min, reference, probe, name);
        }
        long[] needed = graphMultiple(graph, m.layersUnchecked(probe), probe);
        long[] multiple = new long[spatial];
        long[] shape = reference.clone();
        for (int i = 0; i < spatial; i++) {
            multiple[i] = step[i] == 0 ? 0 : lcm(step[i], needed[i]);
            shape[i + 2] = step[i] == 0 ? min[i] : grow(reference[i + 2], min[i], multiple[i]);
        }
        return new InputSizes(multiple, min, shape, probe, name);
    }

    /** The smallest {@code min + k * step} (k >= 0) that is at least {@code want} and a multiple of step. */
    private static long grow(long want, long min, long step) {
        long v = Math.max(want, min);
        return ((v + step - 1) / step) * step;
    }

    /**
     * Per spatial axis, the multiple the graph's merges need: the least common multiple of the coarsest
     * strides of merges whose inputs came through different strides (1 when none do).
     */
    static long[] graphMultiple(Graph graph, List<Layer> layers, long[] reference) {
        int spatial = reference.length - 2;
        Map<String, long[]> shapes = new HashMap<>();
        for (Layer l : layers) {
            shapes.put(l.output(), l.shape());
        }
        shapes.put(graph.inputs().get(0).name(), reference);
        Map<String, long[]> coarsest = new HashMap<>();   // per tensor: the largest stride on any path to it
        long[] needed = new long[spatial];
        Arrays.fill(needed, 1);
        for (Node n : graph.nodes()) {
            long[] through = new long[spatial];
            List<long[]> merged = new java.util.ArrayList<>();
            for (String input : n.inputs()) {
                long[] c = coarsest.computeIfAbsent(input, t -> stride(shapes.get(t), reference));
                if (c != null) {
                    for (int i = 0; i < spatial; i++) {
                        through[i] = Math.max(through[i], c[i]);
                    }
                    merged.add(c);
                }
            }
            if (MERGES.contains(n.opType()) && merged.size() > 1) {
                for (int i = 0; i < spatial; i++) {
                    final int axis = i;
                    long lo = merged.stream().mapToLong(c -> c[axis]).min().orElse(1);
                    long hi = merged.stream().mapToLong(c -> c[axis]).max().orElse(1);
                    if (lo != hi) {
                        needed[i] = lcm(needed[i], hi);
                    }
                }
            }
            for (String out : n.outputs()) {
                long[] own = stride(shapes.get(out), reference);
                if (own != null) {
                    long[] c = own.clone();
                    for (int i = 0; i < spatial; i++) {
                        c[i] = Math.max(c[i], through[i]);
                    }
                    coarsest.put(out, c);
                }
            }
        }
        return needed;
    }

    /** The stride of a spatial tensor of {@code shape} for an input of {@code reference}; null if not spatial. */
    private static long[] stride(long[] shape, long[] reference) {
        if (shape == null || shape.length != reference.length) {
            return null;
        }
        boolean any = false;
        long[] s = new long[reference.length - 2];
        for (int i = 0; i < s.length; i++) {
            any |= shape[i + 2] > 1;
            s[i] = Math.max(1, Math.round(reference[i + 2] / (double) Math.max(1, shape[i + 2])));
        }
        return any ? s : null;
    }

    private static long lcm(long a, long b) {
        return a / gcd(a, b) * b;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** Per spatial axis: sizes must be a multiple of this (1: any size; 0: the axis is fixed at {@link #min()}). */
    public long[] multiple() {
        return multiple.clone();
    }

    public long[] min() {
        return min.clone();
    }

    /** The shape (1, C, spatial...) layer tables are made for when no image gives one. */
    public long[] defaultShape() {
        return defaultShape.clone();
    }

    /** The shape the graph was probed at; its layer table also gives the memory guard its activations per pixel. */
    public long[] probeShape() {
        return probeShape.clone();
    }

    /** Whether an input of {@code shape} must be padded first. */
    public boolean needsPadding(long[] shape) {
        return !Arrays.equals(shape, padded(shape));
    }

    /** {@code shape} with each spatial axis grown to the next size the model accepts. */
    public long[] padded(long[] shape) {
        long[] out = shape.clone();
        for (int i = 0; i < multiple.length; i++) {
            if (multiple[i] > 0) {
                out[i + 2] = grow(shape[i + 2], min[i], multiple[i]);
            }
        }
        return out;
    }

    /** Refuses an input size the model does not accept, naming the multiple. */
    void check(long[] shape) {
        if (needsPadding(shape)) {
            throw new UserError("model '" + model + "' takes sizes that are multiples of " + axes(multiple)
                    + (Arrays.stream(min).anyMatch(v -> v > 1) ? " (at least " + axes(min) + ")" : "")
                    + ", got " + axes(Arrays.copyOfRange(shape, 2, shape.length))
                    + "; pad the image to " + axes(Arrays.copyOfRange(padded(shape), 2, shape.length)));
        }
    }

    /** "4 x 4" (height x width). */
    static String axes(long[] v) {
        return Arrays.stream(v).mapToObj(Long::toString).collect(Collectors.joining(" x "));
    }
}
