package org.cnnexplain.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.cnnexplain.graph.Graph;

/**
 * What computes a model's outputs: the ONNX graph, node by node ({@link OnnxNetwork}),
 * or a TorchScript module as a whole, optionally cut at {@code features}/{@code head}
 * ({@link TorchScriptNetwork}). {@link ExplainableModel} adds everything else.
 */
interface Network extends AutoCloseable {

    String inputName();

    String outputName();

    /** The input shape the file declares (dynamic sizes -1), or an empty array when it declares none. */
    long[] declaredInputShape();

    /**
     * Runs {@code input} and returns the {@code wanted} tensors; {@code hook} (may be null) sees each
     * tapped tensor as it is produced and may replace it for the rest of the run.
     */
    Map<String, NDArray> run(NDManager run, NDArray input, Collection<String> wanted,
                             BiFunction<String, NDArray, NDArray> hook);

    /** Every tappable layer with its output shape for an input of {@code inputShape}. */
    List<Layer> layers(NDManager run, long[] inputShape);

    /** The graph, or null when there is none to walk (TorchScript). */
    Graph graph();

    /** Why a method that needs more than this network offers cannot run, or null when it can. */
    String limitation();

    @Override
    void close();
}
