package org.cnnexplain.atlas;

import ai.djl.ndarray.NDArray;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cnnexplain.UserError;
import org.cnnexplain.graph.Graph;
import org.cnnexplain.graph.Node;
import org.cnnexplain.graph.Padding;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;

/**
 * The input pixels a neuron of a 2-D layer can see, from the graph: kernel sizes, strides, dilations and
 * padding of every node on every path from the input to the layer.
 *
 * <p>Along each axis neuron {@code i} sees input pixels {@code [lo + i·jump, hi + i·jump]}. The input has
 * {@code jump = 1, lo = hi = 0}; a convolution or pooling with kernel k, stride s, dilation d and leading
 * padding p makes {@code jump' = s·jump, lo' = lo − p·jump, hi' = hi + (d·(k−1) − p)·jump}. Where branches
 * meet (a residual Add, a Concat over channels) the field is their union — the longest path decides, as it
 * does for ResNet's 1 × 1 downsample shortcut beside two 3 × 3 convolutions. A branch through global pooling
 * (a squeeze-and-excitation gate) sees the whole image, and so does every neuron it multiplies.
 *
 * <pre>{@code
 * ReceptiveField rf = ReceptiveField.of(model, model.resolveLayer("block4"), model.referenceShape());
 * rf.size();               // {38, 38}: four 3×3 convs with three 2×2 poolings between them (the demo model)
 * rf.box(0, 0, 128, 128);  // Box[x0=0, y0=0, x1=22, y1=22]: [-15, 22] clipped at the image border
 * }</pre>
 * Only the ops a 2-D CNN classifier puts before a spatial layer are understood; anything else on the path
 * (Resize, ConvTranspose, a spatial Reshape) is a {@link UserError} naming the node.
 */
public final class ReceptiveField {

    /** A box of input pixels, corners inclusive, clipped at the image border. */
    public record Box(int x0, int y0, int x1, int y1) {
        public int width() {
            return x1 - x0 + 1;
        }

        public int height() {
            return y1 - y0 + 1;
        }
    }

    /** Per axis (y, x): jump, lo, hi; {@code global} when the neuron sees the whole image. */
    private record Field(long[] jump, long[] lo, long[] hi, boolean global, String unsupported) {

        static Field input() {
            return new Field(new long[] {1, 1}, new long[] {0, 0}, new long[] {0, 0}, false, null);
        }

        static Field wholeImage() {
            return new Field(new long[] {1, 1}, new long[] {0, 0}, new long[] {0, 0}, true, null);
        }

        static Field unsupported(String why) {
            return new Field(null, null, null, false, why);
        }

        Field window(long[] kernel, long[] stride, long[] dilation, long[] padBegin) {
            if (global || unsupported != null) {
                return this;
            }
            long[] j = new long[2];
            long[] l = new long[2];
            long[] h = new long[2];
            for (int a = 0; a < 2; a++) {
                j[a] = stride[a] * jump[a];
                l[a] = lo[a] - padBegin[a] * jump[a];
                h[a] = hi[a] + (dilation[a] * (kernel[a] - 1) - padBegin[a]) * jump[a];
            }
            return new Field(j, l, h, false, null);
        }

        Field union(Field o, Node node) {
            if (unsupported != null) {
                return this;
            }
            if (o.unsupported != null) {
                return o;
            }
            if (global || o.global) {
                return wholeImage();
            }
            if (jump[0] != o.jump[0] || jump[1] != o.jump[1]) {
                return unsupported(node.describe() + " joins branches of different strides");
            }
            return new Field(jump, new long[] {Math.min(lo[0], o.lo[0]), Math.min(lo[1], o.lo[1])},
                    new long[] {Math.max(hi[0], o.hi[0]), Math.max(hi[1], o.hi[1])}, false, null);
        }
    }

    /** Nodes whose output neuron sees exactly what the same position of their (first) input sees. */
    private static final Set<String> POINTWISE = Set.of("Relu", "LeakyRelu", "PRelu", "Elu", "Selu", "Celu",
            "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Softplus", "Softsign", "Clip", "BatchNormalization",
            "Identity", "Dropout", "Cast", "Neg", "Abs", "Exp", "Log", "Sqrt", "Reciprocal", "Erf", "Gelu", "Mish",
            "LRN", "Softmax", "LogSoftmax", "Split", "Floor", "Ceil", "Round", "Sign");
    /** Nodes joining several data inputs position by position (with broadcasting). */
    private static final Set<String> JOINING = Set.of("Add", "Sub", "Mul", "Div", "Sum", "Max", "Min", "Mean",
            "Pow", "Where", "Concat");
    private static final Set<String> WINDOWS = Set.of("Conv", "MaxPool", "AveragePool", "LpPool");
    private static final Set<String> GLOBAL = Set.of("GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool",
            "InstanceNormalization", "ReduceMean", "ReduceMax", "ReduceSum", "ReduceMin", "ReduceL2");

    private final Field field;

    private ReceptiveField(Field field) {
        this.field = field;
    }

    /** The field of {@code layer}'s neurons for an input of {@code inputShape} (N, C, H, W). */
    public static ReceptiveField of(ExplainableModel model, Layer layer, long[] inputShape) {
        Graph graph = model.requireGraph("the neuron atlas (it computes receptive fields from the graph)");
        if (inputShape.length != 4) {
            throw new UserError("receptive fields are computed for 2-D models (input N, C, H, W); this model takes "
                    + java.util.Arrays.toString(inputShape));
        }
        Map<String, long[]> shapes = new HashMap<>();
        shapes.put(model.inputName(), inputShape);
        for (Layer l : model.layers(inputShape)) {
            shapes.put(l.output(), l.shape());
        }
        return of(graph, model.inputName(), layer.output(), shapes);
    }

    static ReceptiveField of(Graph graph, String input, String target, Map<String, long[]> shapes) {
        Map<String, Field> fields = new HashMap<>();
        fields.put(input, Field.input());
        for (Node node : graph.nodes()) {
            Field f = apply(node, fields, shapes, graph);
            if (f != null) {
                for (String out : node.outputs()) {
                    fields.put(out, f);
                }
            }
            if (node.outputs().contains(target)) {
                break;
            }
        }
        Field f = fields.get(target);
        if (f == null) {
            throw new UserError("tensor '" + target + "' does not depend on the model input");
        }
        if (f.unsupported() != null) {
            throw new UserError("cannot compute the receptive field: " + f.unsupported()
                    + " (understood: convolutions, pooling, padding, pointwise ops, Add/Mul/Concat over channels)");
        }
        return new ReceptiveField(f);
    }

    /** The field of the node's output, or null when none of its data inputs depends on the image. */
    private static Field apply(Node node, Map<String, Field> fields, Map<String, long[]> shapes, Graph graph) {
        String op = node.opType();
        List<String> in = node.inputs();
        if (JOINING.contains(op)) {
            Field joined = null;
            for (String t : in) {
                Field f = fields.get(t);
                if (f != null) {
                    joined = joined == null ? f : joined.union(f, node);
                }
            }
            if (joined != null && op.equals("Concat") && !channelAxis(node.attributes().getInt("axis", 1),
                    shapes.get(node.outputs().get(0)))) {
                return Field.unsupported(node.describe() + " concatenates along a spatial axis");
            }
            return joined;
        }
        Field f = in.isEmpty() ? null : fields.get(in.get(0));
        if (f == null) {
            return null;   // shape arithmetic, or a branch of constants
        }
        if (POINTWISE.contains(op)) {
            return f;
        }
        if (GLOBAL.contains(op)) {
            return f.unsupported() != null ? f : Field.wholeImage();
        }
        if (WINDOWS.contains(op)) {
            return window(node, f, shapes, graph);
        }
        if (op.equals("Pad")) {
            long[] pads = node.opset() < 11 ? node.attributes().getInts("pads") : constantInts(graph, in, 1);
            if (pads == null) {
                return Field.unsupported(node.describe() + " has pads computed at run time");
            }
            int r = pads.length / 2;
            return f.window(new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1},
                    new long[] {pads[r - 2], pads[r - 1]});
        }
        if (keepsSpatialAxes(node, shapes)) {
            return f;   // a channel shuffle (Reshape, Transpose), a Slice over channels
        }
        return Field.unsupported(node.describe());
    }

    private static Field window(Node node, Field f, Map<String, long[]> shapes, Graph graph) {
        var a = node.attributes();
        long[] kernel = a.has("kernel_shape") ? a.getInts("kernel_shape") : null;
        if (kernel == null && node.opType().equals("Conv") && node.inputs().size() > 1) {
            NDArray w = graph.constants().get(node.inputs().get(1));
            if (w != null) {
                long[] s = w.getShape().getShape();
                kernel = java.util.Arrays.copyOfRange(s, 2, s.length);
            }
        }
        if (kernel == null || kernel.length != 2) {
            return Field.unsupported(node.describe() + " (not a 2-D window of known size)");
        }
        long[] stride = a.has("strides") ? a.getInts("strides") : new long[] {1, 1};
        long[] dilation = a.has("dilations") ? a.getInts("dilations") : new long[] {1, 1};
        long[] inShape = shapes.get(node.inputs().get(0));
        if (inShape == null) {
            return Field.unsupported(node.describe() + " on an input of unknown size");
        }
        long[] begin = Padding.of(node, new ai.djl.ndarray.types.Shape(inShape), kernel, stride, dilation).begin();
        return f.window(kernel, stride, dilation, begin);
    }

    /** Input {@code k} of the node as integers when it is a weight or a Constant node's value, else null. */
    private static long[] constantInts(Graph graph, List<String> in, int k) {
        if (in.size() <= k || in.get(k).isEmpty()) {
            return null;
        }
        NDArray v = graph.constants().get(in.get(k));
        if (v == null) {
            Node producer = graph.producerOf(in.get(k));
            if (producer != null && producer.opType().equals("Constant") && producer.attributes().has("value")) {
                v = producer.attributes().getTensor("value");
            }
        }
        return v == null ? null : v.toLongArray();
    }

    private static boolean channelAxis(long axis, long[] shape) {
        return axis == 1 || (shape != null && axis == 1 - shape.length);
    }

    /** Reshape, Transpose, Slice, Squeeze... whose output keeps the last two axes of its input as they were. */
    private static boolean keepsSpatialAxes(Node node, Map<String, long[]> shapes) {
        if (!Set.of("Reshape", "Transpose", "Slice", "Squeeze", "Unsqueeze", "Gather").contains(node.opType())) {
            return false;
        }
        long[] in = shapes.get(node.inputs().get(0));
        long[] out = shapes.get(node.outputs().get(0));
        if (in == null || out == null || in.length < 4 || out.length < 4
                || in[in.length - 1] != out[out.length - 1] || in[in.length - 2] != out[out.length - 2]) {
            return false;
        }
        if (node.opType().equals("Transpose")) {
            long[] perm = node.attributes().getInts("perm");
            return perm != null && perm[perm.length - 1] == perm.length - 1 && perm[perm.length - 2] == perm.length - 2;
        }
        if (node.opType().equals("Slice") || node.opType().equals("Gather")) {
            return in[in.length - 1] == out[out.length - 1] && in[in.length - 2] == out[out.length - 2]
                    && in.length == out.length;
        }
        return true;
    }

    /** Whether every neuron sees the whole image (a global-pooling branch joins the path). */
    public boolean global() {
        return field.global();
    }

    /** Unclipped size {width, height} of one neuron's field (for a global field: 0, 0 — the image's). */
    public int[] size() {
        return field.global() ? new int[] {0, 0}
                : new int[] {(int) (field.hi()[1] - field.lo()[1] + 1), (int) (field.hi()[0] - field.lo()[0] + 1)};
    }

    /** The stride in input pixels between neighbouring neurons, {x, y}. */
    public int[] jump() {
        return new int[] {(int) field.jump()[1], (int) field.jump()[0]};
    }

    /** The unclipped field of neuron (x, y): {x0, y0, x1, y1}, inclusive; may reach outside the image. */
    public long[] unclipped(int x, int y, int width, int height) {
        if (field.global()) {
            return new long[] {0, 0, width - 1, height - 1};
        }
        return new long[] {field.lo()[1] + (long) x * field.jump()[1], field.lo()[0] + (long) y * field.jump()[0],
                field.hi()[1] + (long) x * field.jump()[1], field.hi()[0] + (long) y * field.jump()[0]};
    }

    /** The field of neuron (x, y) of the layer, clipped at the border of a {@code width} × {@code height} image. */
    public Box box(int x, int y, int width, int height) {
        long[] u = unclipped(x, y, width, height);
        return new Box((int) Math.max(0, u[0]), (int) Math.max(0, u[1]), (int) Math.min(width - 1, u[2]),
                (int) Math.min(height - 1, u[3]));
    }
}
