package org.cnnexplain.graph;

import static org.cnnexplain.graph.OpSupport.one;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;

/** BatchNormalization in inference mode (running statistics). */
final class NormalizationOps {

    private NormalizationOps() {
    }

    static void register(Map<String, Op> ops) {
        ops.put("BatchNormalization", NormalizationOps::batchNorm);
    }

    /** y = (x - mean) / sqrt(var + eps) * scale + bias, per channel (axis 1). */
    static List<NDArray> batchNorm(Node node, List<NDArray> in) {
        node.attributes().requireInt(node, "training_mode", 0);
        if (node.outputs().size() > 1 && node.outputs().stream().skip(1).anyMatch(s -> !s.isEmpty())) {
            throw OpSupport.unsupported(node, "BatchNormalization in training mode (running mean/var outputs)");
        }
        NDArray x = in.get(0);
        if (x.getShape().dimension() >= 2) {
            // libtorch's inference batch norm: one pass over x, the same per-channel scale and shift as below
            return one(ai.djl.nn.norm.BatchNorm.batchNorm(x, in.get(3), in.get(4), in.get(1), in.get(2), 1, 0.1f,
                    node.attributes().getFloat("epsilon", 1e-5f), false).singletonOrThrow());
        }
        int rank = x.getShape().dimension();
        long[] perChannel = new long[rank];
        java.util.Arrays.fill(perChannel, 1);
        perChannel[1] = -1;
        float eps = node.attributes().getFloat("epsilon", 1e-5f);
        NDArray scale = in.get(1).div(in.get(4).add(eps).sqrt());
        NDArray shift = in.get(2).sub(in.get(3).mul(scale));
        return one(x.mul(scale.reshape(perChannel)).add(shift.reshape(perChannel)));
    }
}
