package org.cnnexplain.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.cnnexplain.graph.Executor;
import org.cnnexplain.graph.Graph;
import org.cnnexplain.graph.Node;

/** An ONNX graph run by the engine's own {@link Executor}: every node output is a layer. */
final class OnnxNetwork implements Network {

    private final Graph graph;
    private final Executor executor;

    OnnxNetwork(Graph graph) {
        this.graph = graph;
        this.executor = new Executor(graph);
    }

    @Override
    public String inputName() {
        return graph.inputs().get(0).name();
    }

    @Override
    public String outputName() {
        return graph.outputs().get(0);
    }

    @Override
    public long[] declaredInputShape() {
        return graph.inputs().get(0).shape().clone();
    }

    @Override
    public Map<String, NDArray> run(NDManager run, NDArray input, Collection<String> wanted,
                                    BiFunction<String, NDArray, NDArray> hook) {
        return executor.run(run, Map.of(inputName(), input), wanted, hook);
    }

    @Override
    public List<Layer> layers(NDManager run, long[] inputShape) {
        List<String> outputs = graph.nodes().stream().map(n -> n.outputs().get(0)).toList();
        Map<String, NDArray> values = executor.run(run, Map.of(inputName(), run.zeros(new Shape(inputShape))), outputs);
        List<Layer> result = new ArrayList<>();
        for (Node n : graph.nodes()) {
            result.add(new Layer(n.name(), n.opType(), n.outputs().get(0),
                    values.get(n.outputs().get(0)).getShape().getShape()));
        }
        return result;
    }

    @Override
    public Graph graph() {
        return graph;
    }

    @Override
    public String limitation() {
        return null;
    }

    @Override
    public void close() {
        graph.close();
    }
}
