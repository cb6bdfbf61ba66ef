package org.cnnexplain.graph;

import java.util.List;

/**
 * One operation of the graph, e.g. {@code Conv} named {@code /layer1/layer1.0/conv1/Conv}
 * reading tensors {@code input, onnx::Conv_193} and writing {@code /layer1/layer1.0/conv1/Conv_output_0}.
 *
 * @param name       unique node name (ONNX node names are optional; the reader makes one up when absent)
 * @param opType     ONNX operator type, e.g. {@code Conv}, {@code Relu}
 * @param inputs     names of the tensors read; an empty string marks an omitted optional input
 * @param outputs    names of the tensors written
 * @param attributes the node's attributes
 * @param opset      the opset version of the ONNX default domain the model was exported with
 */
public record Node(String name, String opType, List<String> inputs, List<String> outputs,
                   Attributes attributes, int opset) {

    /** "Conv node '/layer1/conv1/Conv'": how errors name a node. */
    public String describe() {
        return opType + " node '" + name + "'";
    }
}
