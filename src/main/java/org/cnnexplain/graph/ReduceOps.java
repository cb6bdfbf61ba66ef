package org.cnnexplain.graph;

import static org.cnnexplain.graph.OpSupport.one;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/** ReduceMean, ReduceSum, ReduceMax, ReduceMin. */
final class ReduceOps {

    private ReduceOps() {
    }

    private interface Reduction {
        NDArray apply(NDArray x, int[] axes, boolean keepDims);
    }

    static void register(Map<String, Op> ops) {
        // ReduceSum takes its axes as an input from opset 13, the others from opset 18
        ops.put("ReduceMean", reduce(NDArray::mean, 18));
        ops.put("ReduceSum", reduce(NDArray::sum, 13));
        ops.put("ReduceMax", reduce(NDArray::max, 18));
        ops.put("ReduceMin", reduce(NDArray::min, 18));
    }

    private static Op reduce(Reduction f, int axesAsInputSince) {
        return (node, in) -> {
            NDArray x = in.get(0);
            int rank = x.getShape().dimension();
            long[] axes = node.opset() >= axesAsInputSince
                    ? (in.size() > 1 && in.get(1) != null ? OpSupport.longs(in.get(1)) : null)
                    : node.attributes().getInts("axes");
            boolean keep = node.attributes().getInt("keepdims", 1) == 1;
            if (axes == null || axes.length == 0) {
                if (node.attributes().getInt("noop_with_empty_axes", 0) == 1) {
                    return one(x);
                }
                axes = new long[rank];
                for (int i = 0; i < rank; i++) {
                    axes[i] = i;
                }
            }
            return one(alongEach(x, OpSupport.axes(node, axes, rank), keep, f));
        };
    }

    /** DJL's PyTorch engine reduces one axis per call: reduce each (keeping dims), then drop them. */
    static NDArray alongEach(NDArray x, int[] axes, boolean keep, Reduction f) {
        NDArray y = x;
        for (int a : axes) {
            y = f.apply(y, new int[] {a}, true);
        }
        return keep ? y : y.squeeze(axes);
    }

    static NDArray mean(NDArray x, int[] axes, boolean keep) {
        return alongEach(x, axes, keep, NDArray::mean);
    }

    static NDArray max(NDArray x, int[] axes, boolean keep) {
        return alongEach(x, axes, keep, NDArray::max);
    }

}
