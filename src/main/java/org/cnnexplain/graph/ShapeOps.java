package org.cnnexplain.graph;

import static org.cnnexplain.graph.OpSupport.longs;
import static org.cnnexplain.graph.OpSupport.one;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.cnnexplain.UserError;

/**
 * Ops that move data around without computing on it, and the shape arithmetic
 * exporters emit around them ({@code x.view(x.size(0), -1)} becomes
 * Shape → Gather → Unsqueeze → Concat → Reshape).
 */
final class ShapeOps {

    private ShapeOps() {
    }

    static void register(Map<String, Op> ops) {
        ops.put("Identity", (node, in) -> one(in.get(0)));
        ops.put("Dropout", (node, in) -> one(in.get(0)));
        ops.put("Shape", ShapeOps::shape);
        ops.put("Gather", ShapeOps::gather);
        ops.put("Unsqueeze", ShapeOps::unsqueeze);
        ops.put("Squeeze", ShapeOps::squeeze);
        // a one-input Concat (DenseNet's first dense layer) is the identity; DJL would copy it off the autograd graph
        ops.put("Concat", (node, in) -> one(in.size() == 1 ? in.get(0) : NDArrays.concat(new NDList(in),
                OpSupport.axis(node, node.attributes().getInt("axis", 0), in.get(0).getShape().dimension()))));
        ops.put("Reshape", ShapeOps::reshape);
        ops.put("Flatten", ShapeOps::flatten);
        ops.put("Transpose", ShapeOps::transpose);
        ops.put("Slice", ShapeOps::slice);
        ops.put("Cast", ShapeOps::cast);
        ops.put("Constant", (node, in) -> one(node.attributes().getTensor("value")));
        ops.put("ConstantOfShape", ShapeOps::constantOfShape);
        ops.put("Expand", (node, in) -> one(expand(in.get(0), longs(in.get(1)))));
        ops.put("Pad", ShapeOps::pad);
        ops.put("Split", ShapeOps::split);
    }

    /**
     * Split along {@code axis}: sizes from the {@code split} input (opset 13+) or attribute (before),
     * else equal parts, one per output ({@code num_outputs} in opset 18, where the last part may be smaller).
     */
    static List<NDArray> split(Node node, List<NDArray> in) {
        NDArray x = in.get(0);
        int rank = x.getShape().dimension();
        int axis = OpSupport.axis(node, node.attributes().getInt("axis", 0), rank);
        long dim = x.getShape().get(axis);
        long[] sizes = node.opset() >= 13
                ? (in.size() > 1 && in.get(1) != null ? longs(in.get(1)) : null)
                : node.attributes().getInts("split");
        int parts = node.outputs().size();
        if (sizes == null) {
            long each = (dim + parts - 1) / parts;
            sizes = new long[parts];
            for (int i = 0; i < parts; i++) {
                sizes[i] = Math.max(0, Math.min(each, dim - i * each));
            }
        }
        if (sizes.length != parts || java.util.Arrays.stream(sizes).sum() != dim) {
            throw new UserError(node.describe() + ": split sizes " + java.util.Arrays.toString(sizes)
                    + " do not divide an axis of " + dim + " into " + parts + " outputs");
        }
        List<NDArray> out = new java.util.ArrayList<>();
        long start = 0;
        for (long size : sizes) {
            out.add(x.get(new NDIndex().addAllDim(axis).addSliceDim(start, start + size)));
            start += size;
        }
        return out;
    }

    /**
     * Padding: constant (torch exports it before AveragePool and for asymmetric padding), reflect
     * and edge (convolutions with {@code padding_mode="reflect"/"replicate"}), and wrap (opset 19;
     * {@code padding_mode="circular"}).
     * pads = [x1_begin, x2_begin, ..., x1_end, x2_end, ...] over all axes (or over {@code axes}, opset 18).
     */
    static List<NDArray> pad(Node node, List<NDArray> in) {
        return one(pad(node, in.get(0), padMode(node), PadAmounts.of(node, in)));
    }

    private static String padMode(Node node) {
        String mode = node.attributes().getString("mode", "constant");
        if (!List.of("constant", "reflect", "edge", "wrap").contains(mode)
                || (mode.equals("wrap") && node.opset() < 19)) {
            throw OpSupport.unsupported(node, "Pad mode '" + mode + "' (valid: constant, reflect, edge; wrap from"
                    + " opset 19)");
        }
        return mode;
    }

    /**
     * What a Pad node pads by: from attributes before opset 11, else from its inputs, which exporters
     * make constants, so {@link #bindPad} reads them once at load time rather than on every run.
     */
    private record PadAmounts(long[] pads, double value, long[] axes) {

        static PadAmounts of(Node node, List<NDArray> in) {
            if (node.opset() < 11) {
                return new PadAmounts(node.attributes().getInts("pads"), node.attributes().getFloat("value", 0f), null);
            }
            return new PadAmounts(longs(in.get(1)),
                    in.size() > 2 && in.get(2) != null ? Tensors.doubleOf(in.get(2)) : 0,
                    in.size() > 3 && in.get(3) != null ? longs(in.get(3)) : null);
        }
    }

    /** Pad with its amounts read at load time when they are constants (see {@link Ops#forNode(Node, java.util.function.Function, ai.djl.ndarray.NDManager)}). */
    static Op bindPad(Node node, java.util.function.Function<String, NDArray> constant) {
        List<NDArray> in = new java.util.ArrayList<>();
        for (String name : node.inputs()) {
            NDArray c = name.isEmpty() ? null : constant.apply(name);
            if (c == null && !name.isEmpty() && in.size() > 0) {
                return null;   // computed amounts: read them on every run
            }
            in.add(c);
        }
        String mode = padMode(node);
        PadAmounts amounts = PadAmounts.of(node, in);
        return (n, xs) -> one(pad(n, xs.get(0), mode, amounts));
    }

    private static NDArray pad(Node node, NDArray x, String mode, PadAmounts amounts) {
        int rank = x.getShape().dimension();
        long[] pads = amounts.pads();
        double value = amounts.value();
        long[] axes = amounts.axes();
        int[] which = axes == null ? java.util.stream.IntStream.range(0, rank).toArray() : OpSupport.axes(node, axes, rank);
        long[] begin = new long[rank];
        long[] end = new long[rank];
        for (int i = 0; i < which.length; i++) {
            begin[which[i]] = pads[i];
            end[which[i]] = pads[i + which.length];
        }
        if (mode.equals("wrap")) {
            for (int a = 0; a < rank; a++) {
                x = wrap(node, x, a, begin[a], end[a]);
            }
            return x;
        }
        if (!mode.equals("constant")) {
            for (int a = 0; a < rank; a++) {
                x = padByCopies(node, x, a, begin[a], end[a], mode.equals("reflect"));
            }
            return x;
        }
        long[] torch = new long[2 * rank];   // last axis first, as NDArray.pad wants
        for (int i = 0; i < rank; i++) {
            torch[2 * i] = begin[rank - 1 - i];
            torch[2 * i + 1] = end[rank - 1 - i];
        }
        return x.pad(new Shape(torch), value);
    }

    /**
     * Reflect (mirror without repeating the border: 2 1 | 0 1 2 3 | 2 1) or edge (0 0 | 0 1 2 3 | 3 3)
     * padding along one axis, as a concatenation of one-wide slices, so autograd passes through it.
     */
    private static NDArray padByCopies(Node node, NDArray x, int axis, long before, long after, boolean reflect) {
        if (before == 0 && after == 0) {
            return x;
        }
        long n = x.getShape().get(axis);
        if (before < 0 || after < 0 || (reflect && Math.max(before, after) >= n)) {
            throw OpSupport.unsupported(node, (reflect ? "reflect" : "edge") + " padding of " + before + "/" + after
                    + " on an axis of size " + n);
        }
        ai.djl.ndarray.NDList parts = new ai.djl.ndarray.NDList();
        for (long k = before; k >= 1; k--) {
            parts.add(slice(x, axis, reflect ? k : 0));
        }
        parts.add(x);
        for (long k = 1; k <= after; k++) {
            parts.add(slice(x, axis, reflect ? n - 1 - k : n - 1));
        }
        return ai.djl.ndarray.NDArrays.concat(parts, axis);
    }

    /** Wrap padding along one axis: the last {@code before} values in front, the first {@code after} behind. */
    private static NDArray wrap(Node node, NDArray x, int axis, long before, long after) {
        if (before == 0 && after == 0) {
            return x;
        }
        long n = x.getShape().get(axis);
        if (before < 0 || after < 0 || Math.max(before, after) > n) {
            throw OpSupport.unsupported(node, "wrap padding of " + before + "/" + after + " on an axis of size " + n);
        }
        ai.djl.ndarray.NDList parts = new ai.djl.ndarray.NDList();
        ai.djl.ndarray.index.NDIndex all = new ai.djl.ndarray.index.NDIndex().addAllDim(axis);
        if (before > 0) {
            parts.add(x.get(all.addSliceDim(n - before, n)));
        }
        parts.add(x);
        if (after > 0) {
            parts.add(x.get(new ai.djl.ndarray.index.NDIndex().addAllDim(axis).addSliceDim(0, after)));
        }
        return ai.djl.ndarray.NDArrays.concat(parts, axis);
    }

    private static NDArray slice(NDArray x, int axis, long i) {
        return x.get(new ai.djl.ndarray.index.NDIndex().addAllDim(axis).addSliceDim(i, i + 1));
    }

    static List<NDArray> shape(Node node, List<NDArray> in) {
        long[] dims = in.get(0).getShape().getShape();
        int rank = dims.length;
        int start = (int) clampAxis(node.attributes().getInt("start", 0), rank);
        int end = (int) clampAxis(node.attributes().getInt("end", rank), rank);
        long[] out = java.util.Arrays.copyOfRange(dims, start, Math.max(start, end));
        return one(Tensors.of(in.get(0).getManager(), out));
    }

    private static long clampAxis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return Math.max(0, Math.min(rank, a));
    }

    /** ONNX Gather = numpy take along one axis; result shape data[:axis] + indices + data[axis+1:]. */
    static List<NDArray> gather(Node node, List<NDArray> in) {
        NDArray data = in.get(0);
        NDArray indices = in.get(1);
        int rank = data.getShape().dimension();
        int axis = OpSupport.axis(node, node.attributes().getInt("axis", 0), rank);
        long size = data.getShape().get(axis);
        long[] idx = longs(indices);
        NDList picked = new NDList();
        for (long i : idx) {
            long k = i < 0 ? i + size : i;
            if (k < 0 || k >= size) {
                throw new UserError(node.describe() + ": index " + i + " out of range for axis of size " + size);
            }
            picked.add(data.get(new NDIndex().addAllDim(axis).addSliceDim(k, k + 1)));
        }
        NDArray stacked = picked.size() == 1 ? picked.get(0) : NDArrays.concat(picked, axis);
        Shape before = data.getShape().slice(0, axis);
        Shape after = data.getShape().slice(axis + 1);
        return one(stacked.reshape(before.addAll(indices.getShape()).addAll(after)));
    }

    /** Axes are an attribute before opset 13 and an input from 13 on. */
    private static long[] axesOf(Node node, List<NDArray> in) {
        if (node.opset() >= 13) {
            return in.size() > 1 && in.get(1) != null ? longs(in.get(1)) : null;
        }
        return node.attributes().getInts("axes");
    }

    static List<NDArray> unsqueeze(Node node, List<NDArray> in) {
        NDArray x = in.get(0);
        long[] axes = axesOf(node, in);
        int outRank = x.getShape().dimension() + axes.length;
        int[] sorted = OpSupport.axes(node, axes, outRank);
        java.util.Arrays.sort(sorted);
        for (int a : sorted) {
            x = x.expandDims(a);
        }
        return one(x);
    }

    static List<NDArray> squeeze(Node node, List<NDArray> in) {
        NDArray x = in.get(0);
        long[] axes = axesOf(node, in);
        if (axes == null) {
            return one(x.squeeze());
        }
        return one(x.squeeze(OpSupport.axes(node, axes, x.getShape().dimension())));
    }

    static List<NDArray> reshape(Node node, List<NDArray> in) {
        NDArray x = in.get(0);
        long[] target = longs(in.get(1)).clone();
        boolean allowZero = node.attributes().getInt("allowzero", 0) == 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == 0 && !allowZero) {
                target[i] = x.getShape().get(i);   // 0 copies the input's dimension
            }
        }
        return one(x.reshape(new Shape(target)));
    }

    static List<NDArray> flatten(Node node, List<NDArray> in) {
        NDArray x = in.get(0);
        int rank = x.getShape().dimension();
        long axis = node.attributes().getInt("axis", 1);
        int a = axis == rank ? rank : OpSupport.axis(node, axis, rank);
        long rows = x.getShape().slice(0, a).size();
        return one(x.reshape(rows, x.getShape().size() / Math.max(rows, 1)));
    }

    static List<NDArray> transpose(Node node, List<NDArray> in) {
        NDArray x = in.get(0);
        long[] perm = node.attributes().getInts("perm");
        if (perm == null) {
            return one(x.transpose());
        }
        return one(x.transpose(OpSupport.axes(node, perm, x.getShape().dimension())));
    }

    /** Slice with starts/ends/axes/steps as inputs (opset 10+) or attributes (before); negative steps walk backwards. */
    static List<NDArray> slice(Node node, List<NDArray> in) {
        NDArray x = in.get(0);
        int rank = x.getShape().dimension();
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps = null;
        if (node.opset() >= 10) {
            starts = longs(in.get(1));
            ends = longs(in.get(2));
            axes = in.size() > 3 && in.get(3) != null ? longs(in.get(3)) : null;
            steps = in.size() > 4 && in.get(4) != null ? longs(in.get(4)) : null;
        } else {
            starts = node.attributes().getInts("starts");
            ends = node.attributes().getInts("ends");
            axes = node.attributes().getInts("axes");
        }
        NDArray y = x;
        for (int i = 0; i < starts.length; i++) {
            int axis = OpSupport.axis(node, axes == null ? i : axes[i], rank);
            long step = steps == null ? 1 : steps[i];
            long dim = y.getShape().get(axis);
            if (step == 0) {
                throw OpSupport.unsupported(node, "a slice step of 0");
            }
            long from;
            long to;
            long by = Math.abs(step);
            if (step > 0) {
                from = clampIndex(starts[i], dim, 0, dim);
                to = clampIndex(ends[i], dim, 0, dim);
            } else {
                // walk backwards = walk forwards on the flipped axis: index i becomes dim - 1 - i
                long start = clampIndex(starts[i], dim, 0, dim - 1);
                long end = clampIndex(ends[i], dim, -1, dim - 1);
                y = y.flip(axis);
                from = dim - 1 - start;
                to = dim - 1 - end;
            }
            y = y.get(new NDIndex().addAllDim(axis).addSliceDim(from, Math.max(from, to), by));
        }
        return one(y);
    }

    /** ONNX Slice bounds: negative counts from the end, then clamped to [lo, hi]. */
    private static long clampIndex(long i, long dim, long lo, long hi) {
        long k = i < 0 ? i + dim : i;
        return Math.max(lo, Math.min(hi, k));
    }

    static List<NDArray> cast(Node node, List<NDArray> in) {
        int to = (int) node.attributes().getInt("to", 1);
        DataType type = switch (to) {
            case 1, 10, 11, 16 -> DataType.FLOAT32;  // float16/double/bfloat16 are computed in float32
            case 2 -> DataType.UINT8;
            case 3 -> DataType.INT8;
            case 6 -> DataType.INT32;
            case 7 -> DataType.INT64;
            case 9 -> DataType.BOOLEAN;
            default -> throw OpSupport.unsupported(node, "Cast to ONNX type " + to);
        };
        return one(in.get(0).toType(type, true));
    }

    static List<NDArray> constantOfShape(Node node, List<NDArray> in) {
        long[] shape = longs(in.get(0));
        NDArray value = node.attributes().getTensor("value");
        NDArray filled = in.get(0).getManager().zeros(new Shape(shape),
                value == null ? DataType.FLOAT32 : value.getDataType());
        return one(value == null ? filled : filled.add(value.reshape(new Shape())));
    }

    /** ONNX Expand broadcasts both ways: the result shape is broadcast(x.shape, shape). */
    static NDArray expand(NDArray x, long[] shape) {
        long[] xs = x.getShape().getShape();
        int rank = Math.max(xs.length, shape.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long a = i - (rank - xs.length) >= 0 ? xs[i - (rank - xs.length)] : 1;
            long b = i - (rank - shape.length) >= 0 ? shape[i - (rank - shape.length)] : 1;
            out[i] = a == 1 ? b : a;
        }
        return x.broadcast(new Shape(out));
    }

}
