package org.cnnexplain.graph;

import static org.cnnexplain.graph.OpSupport.one;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import java.util.List;
import java.util.Map;

/** Pointwise activations and Softmax. */
final class ActivationOps {

    private ActivationOps() {
    }

    static void register(Map<String, Op> ops) {
        ops.put("Relu", (node, in) -> one(Activation.relu(in.get(0))));
        ops.put("LeakyRelu", (node, in) -> one(Activation.leakyRelu(in.get(0), node.attributes().getFloat("alpha", 0.01f))));
        ops.put("PRelu", (node, in) -> one(negativeSlope(in.get(0), in.get(0).mul(in.get(1)))));
        ops.put("Elu", (node, in) -> {
            float alpha = node.attributes().getFloat("alpha", 1f);
            return one(negativeSlope(in.get(0), in.get(0).exp().sub(1).mul(OpSupport.scalar(in.get(0), alpha))));
        });
        ops.put("Sigmoid", (node, in) -> one(Activation.sigmoid(in.get(0))));
        ops.put("Tanh", (node, in) -> one(in.get(0).tanh()));
        ops.put("HardSigmoid", (node, in) -> one(hardSigmoid(in.get(0),
                node.attributes().getFloat("alpha", 0.2f), node.attributes().getFloat("beta", 0.5f))));
        ops.put("HardSwish", (node, in) -> one(in.get(0).mul(hardSigmoid(in.get(0), 1f / 6f, 0.5f))));
        ops.put("Clip", ActivationOps::clip);
        ops.put("Softmax", (node, in) -> one(softmax(node, in.get(0), false)));
        ops.put("LogSoftmax", (node, in) -> one(softmax(node, in.get(0), true)));
    }

    /** x where x > 0, else {@code negative}. */
    private static NDArray negativeSlope(NDArray x, NDArray negative) {
        return NDArrays.where(x.gt(0), x, negative);
    }

    private static NDArray hardSigmoid(NDArray x, float alpha, float beta) {
        return x.mul(OpSupport.scalar(x, alpha)).add(beta).clip(0, 1);
    }

    /** Bounds come from attributes before opset 11 and from optional inputs after. */
    static List<NDArray> clip(Node node, List<NDArray> in) {
        NDArray x = in.get(0);
        if (node.opset() < 11) {
            return one(x.clip(node.attributes().getFloat("min", Float.NEGATIVE_INFINITY),
                    node.attributes().getFloat("max", Float.POSITIVE_INFINITY)));
        }
        NDArray y = x;
        if (in.size() > 1 && in.get(1) != null) {
            y = y.maximum(OpSupport.scalar(y, (float) Tensors.doubleOf(in.get(1))));
        }
        if (in.size() > 2 && in.get(2) != null) {
            y = y.minimum(OpSupport.scalar(y, (float) Tensors.doubleOf(in.get(2))));
        }
        return one(y == x ? x.duplicate() : y);
    }

    /**
     * HardSigmoid and HardSwish with their two constants made once, at load time, on the model's device:
     * the generic op would copy them from Java into a new scalar tensor on every run (to the GPU, there).
     */
    static Op bindHardSigmoid(Node node, NDManager constants, boolean swish) {
        NDArray alpha = Tensors.scalar(constants, swish ? 1f / 6f : node.attributes().getFloat("alpha", 0.2f));
        NDArray beta = Tensors.scalar(constants, swish ? 0.5f : node.attributes().getFloat("beta", 0.5f));
        return (n, in) -> {
            NDArray x = in.get(0);
            NDArray h = x.mul(alpha).add(beta).clip(0, 1);
            return one(swish ? x.mul(h) : h);
        };
    }

    /**
     * Clip whose bounds are constants (ReLU6 as exporters write it): the bounds are read once at load
     * time and the op is one clamp, instead of two reads into Java, two scalar tensors and two passes over
     * the activation on every run. null when a bound is computed.
     */
    static Op bindClip(Node node, java.util.function.Function<String, NDArray> constant) {
        if (node.opset() < 11) {
            return null;   // bounds are attributes: the generic op reads nothing
        }
        float[] bounds = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        for (int k = 1; k < node.inputs().size() && k < 3; k++) {
            String name = node.inputs().get(k);
            if (!name.isEmpty()) {
                NDArray c = constant.apply(name);
                if (c == null) {
                    return null;
                }
                bounds[k - 1] = (float) Tensors.doubleOf(c);
            }
        }
        return (n, in) -> one(in.get(0).clip(bounds[0], bounds[1]));
    }

    /**
     * From opset 13 Softmax normalises along one axis (default -1); before, it
     * flattened the input to 2-D at {@code axis} (default 1) and normalised the rows.
     */
    static NDArray softmax(Node node, NDArray x, boolean log) {
        int rank = x.getShape().dimension();
        if (node.opset() >= 13) {
            int axis = OpSupport.axis(node, node.attributes().getInt("axis", -1), rank);
            return log ? x.logSoftmax(axis) : x.softmax(axis);
        }
        int axis = OpSupport.axis(node, node.attributes().getInt("axis", 1), rank);
        long rows = x.getShape().slice(0, axis).size();
        NDArray flat = x.reshape(rows, -1);
        return (log ? flat.logSoftmax(1) : flat.softmax(1)).reshape(x.getShape());
    }
}
