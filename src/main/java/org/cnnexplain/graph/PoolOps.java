package org.cnnexplain.graph;

import static org.cnnexplain.graph.OpSupport.intsOr;
import static org.cnnexplain.graph.OpSupport.one;

import ai.djl.ndarray.NDArray;
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
