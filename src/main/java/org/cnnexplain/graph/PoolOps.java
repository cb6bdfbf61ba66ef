package org.cnnexplain.graph;

import static org.cnnexplain.graph.OpSupport.intsOr;
import static org.cnnexplain.graph.OpSupport.one;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import java.util.List;
import java.util.Map;

/** MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool (1-3D). */
final class PoolOps {

    private PoolOps() {
    }

    static void register(Map<String, Op> ops) {
        ops.put("MaxPool", PoolOps::maxPool);
        ops.put("AveragePool", PoolOps::averagePool);
        ops.put("GlobalAveragePool", (node, in) -> one(ReduceOps.mean(in.get(0), spatialAxes(in.get(0)), true)));
        ops.put("GlobalMaxPool", (node, in) -> one(ReduceOps.max(in.get(0), spatialAxes(in.get(0)), true)));
    }

    private static int[] spatialAxes(NDArray x) {
        int[] axes = new int[x.getShape().dimension() - 2];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i + 2;
        }
        return axes;
    }

    /** Kernel, strides and resolved padding of a pooling node. */
    private record Window(Shape kernel, Shape strides, Padding padding, boolean ceil) {

        static Window of(Node node, NDArray x) {
            long[] kernel = node.attributes().getInts("kernel_shape");
            int n = kernel.length;
            long[] strides = intsOr(node, "strides", n, 1);
            long[] dilations = intsOr(node, "dilations", n, 1);
            for (long d : dilations) {
                if (d != 1) {
                    throw OpSupport.unsupported(node, "dilated pooling");
                }
            }
            boolean ceil = node.attributes().getInt("ceil_mode", 0) == 1;
            return new Window(new Shape(kernel), new Shape(strides),
                    Padding.of(node, x.getShape(), kernel, strides, dilations), ceil);
        }
    }

    static List<NDArray> maxPool(Node node, List<NDArray> in) {
        if (node.outputs().size() > 1 && !node.outputs().get(1).isEmpty()) {
            throw OpSupport.unsupported(node, "the Indices output of MaxPool");
        }
        node.attributes().requireInt(node, "storage_order", 0);
        NDArray x = in.get(0);
        Window w = Window.of(node, x);
        if (halvesWithoutAutograd(w, x)) {
            return one(halve(x));
        }
        Shape pad = w.padding().symmetric();
        if (!w.padding().isSymmetric()) {
            x = x.pad(w.padding().torchPadShape(), Double.NEGATIVE_INFINITY);
            pad = Padding.none(w.kernel().dimension());
        }
        NDArray y = switch (w.kernel().dimension()) {
            case 1 -> Pool.maxPool1d(x, w.kernel(), w.strides(), pad, w.ceil());
            case 2 -> Pool.maxPool2d(x, w.kernel(), w.strides(), pad, w.ceil());
            case 3 -> Pool.maxPool3d(x, w.kernel(), w.strides(), pad, w.ceil());
            default -> throw OpSupport.unsupported(node, w.kernel().dimension() + "-D pooling");
        };
        return one(y);
    }

    /**
     * The 2 × 2, stride-2 max pool of U-Nets and VGG-style nets, on the CPU, where nothing records autograd.
     * libtorch's CPU max pool reads an NCHW tensor a window at a time: it was half of the demo model's
     * forward pass (18.6 of 40.9 ms at batch 8), while the same maxima taken as two element-wise maxima of
     * strided views, rows then columns, cost a seventeenth of that. The values are the same bit for bit
     * (a maximum is exact, NaN wins in both). Only without autograd: max_pool2d's backward sends a tied
     * window's gradient to its first maximum, the element-wise maximum's splits it, so a run that
     * back-propagates through this node keeps libtorch's pool.
     */
    private static boolean halvesWithoutAutograd(Window w, NDArray x) {
        Shape k = w.kernel();
        Shape s = w.strides();
        return k.dimension() == 2 && k.get(0) == 2 && k.get(1) == 2 && s.get(0) == 2 && s.get(1) == 2
                && w.padding().isSymmetric() && w.padding().symmetric().get(0) == 0
                && w.padding().symmetric().get(1) == 0
                && (!w.ceil() || x.getShape().get(2) % 2 == 0 && x.getShape().get(3) % 2 == 0)
                && x.getDevice().getDeviceType().equals(ai.djl.Device.Type.CPU)
                && AutogradHistory.surelyNone(x);
    }

    /** max over each 2 × 2 window of (N, C, H, W), dropping an odd last row or column (floor mode). */
    static NDArray halve(NDArray x) {
        long h = x.getShape().get(2) / 2 * 2;
        long w = x.getShape().get(3) / 2 * 2;
        NDArray even = x.get(new NDIndex().addAllDim(2).addSliceDim(0, h, 2));
        NDArray odd = x.get(new NDIndex().addAllDim(2).addSliceDim(1, h, 2));
        NDArray rows = even.maximum(odd);
        even.close();
        odd.close();
        NDArray left = rows.get(new NDIndex().addAllDim(3).addSliceDim(0, w, 2));
        NDArray right = rows.get(new NDIndex().addAllDim(3).addSliceDim(1, w, 2));
        NDArray y = left.maximum(right);
        left.close();
        right.close();
        rows.close();
        return y;
    }

    /**
     * DJL's average pool does not honour its count-include-pad flag, so the
     * exclude-pad average is computed as avg(x) / avg(ones), which is right
     * whichever divisor the engine uses; count_include_pad=1 pads with zeros
     * first so that the padded cells count as real ones.
     */
    static List<NDArray> averagePool(Node node, List<NDArray> in) {
        NDArray x = in.get(0);
        Window w = Window.of(node, x);
        Shape pad = w.padding().symmetric();
        boolean includePad = node.attributes().getInt("count_include_pad", 0) == 1;
        if (includePad || !w.padding().isSymmetric()) {
            x = x.pad(w.padding().torchPadShape(), 0);
            pad = Padding.none(w.kernel().dimension());
            if (!includePad) {
                // asymmetric pad but padded cells must not count: mask them out below
                NDArray valid = in.get(0).onesLike().pad(w.padding().torchPadShape(), 0);
                return one(avg(node, x, w, pad).div(avg(node, valid, w, pad)));
            }
        }
        NDArray ones = x.onesLike();
        return one(avg(node, x, w, pad).div(avg(node, ones, w, pad)));
    }

    private static NDArray avg(Node node, NDArray x, Window w, Shape pad) {
        return switch (w.kernel().dimension()) {
            case 1 -> Pool.avgPool1d(x, w.kernel(), w.strides(), pad, w.ceil(), false);
            case 2 -> Pool.avgPool2d(x, w.kernel(), w.strides(), pad, w.ceil(), false);
            case 3 -> Pool.avgPool3d(x, w.kernel(), w.strides(), pad, w.ceil(), false);
            default -> throw OpSupport.unsupported(node, w.kernel().dimension() + "-D pooling");
        };
    }
}
