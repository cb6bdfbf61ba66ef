package org.cnnexplain.graph;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * The forward computation of one ONNX operator type.
 *
 * <p>Inputs arrive in the node's order, {@code null} where an optional input
 * was omitted. Results must be new arrays or views created from the inputs, so
 * that they belong to the run's manager (DJL attaches a result to the manager
 * of its first operand).
 */
@FunctionalInterface
public interface Op {

    List<NDArray> apply(Node node, List<NDArray> inputs);
}
