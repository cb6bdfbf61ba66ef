package org.cnnexplain.graph;

import static org.cnnexplain.graph.OpSupport.one;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;

/** Gemm (fully connected layers) and MatMul. */
final class LinearOps {

    private LinearOps() {
    }

    static void register(Map<String, Op> ops) {
        ops.put("Gemm", LinearOps::gemm);
        ops.put("MatMul", (node, in) -> one(in.get(0).matMul(in.get(1))));
    }

    /** Y = alpha * A' B' + beta * C, where ' is an optional transpose. */
    static List<NDArray> gemm(Node node, List<NDArray> in) {
        NDArray a = in.get(0);
        NDArray b = in.get(1);
        if (node.attributes().getInt("transA", 0) == 1) {
            a = a.transpose();
        }
        if (node.attributes().getInt("transB", 0) == 1) {
            b = b.transpose();
        }
        NDArray y = a.matMul(b);
        float alpha = node.attributes().getFloat("alpha", 1f);
        if (alpha != 1f) {
            y = y.mul(OpSupport.scalar(y, alpha));
        }
        if (in.size() > 2 && in.get(2) != null) {
            float beta = node.attributes().getFloat("beta", 1f);
            y = y.add(beta == 1f ? in.get(2) : in.get(2).mul(OpSupport.scalar(y, beta)));
        }
        return one(y);
    }
}
