package org.cnnexplain.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;

/**
 * A network ready to execute: nodes in execution (topological) order, the
 * constant tensors (weights) they read, and the graph's inputs and outputs.
 *
 * <p>The graph owns the manager its constants live in; closing the graph frees
 * them. Per-run tensors never go there, they belong to the run's sub-manager.
 *
 * @param nodes     nodes in an order in which every input is computed before it is read
 * @param constants initializers and Constant-free weights by tensor name, on the model's device
 * @param inputs    the inputs the caller feeds (graph inputs that are not initializers)
 * @param outputs   names of the graph's output tensors
 * @param opset     default-domain opset the model was exported with
 * @param manager   owner of {@code constants}
 */
public record Graph(List<Node> nodes, Map<String, NDArray> constants, List<TensorInfo> inputs,
                    List<String> outputs, int opset, NDManager manager) implements AutoCloseable {

    /** Name and declared shape of a graph input; dynamic dimensions are -1. */
    public record TensorInfo(String name, long[] shape) {
    }

    /** The node writing {@code tensor}, or null for graph inputs and constants. */
    public Node producerOf(String tensor) {
        for (Node n : nodes) {
            if (n.outputs().contains(tensor)) {
                return n;
            }
        }
        return null;
    }

    @Override
    public void close() {
        manager.close();
    }
}
