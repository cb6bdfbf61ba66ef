package org.cnnexplain.model;

/**
 * A layer a user can name: one graph node, its output tensor and that
 * tensor's shape for one input of the model's input size.
 *
 * @param name   node name, e.g. {@code /layer4/layer4.1/relu_1/Relu}
 * @param opType e.g. {@code Relu}
 * @param output the node's (first) output tensor
 * @param shape  output shape for a batch of one, e.g. {@code [1, 64, 16, 16]}
 */
public record Layer(String name, String opType, String output, long[] shape) {

    /** Spatial means N, C and at least one more axis of size > 1 (a map you can look at). */
    public boolean isSpatial() {
        if (shape.length < 3) {
            return false;
        }
        for (int i = 2; i < shape.length; i++) {
            if (shape[i] > 1) {
                return true;
            }
        }
        return false;
    }
}
