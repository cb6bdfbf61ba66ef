package org.cnnexplain.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.onnx.proto.Onnx;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.OnnxRuntimeOracle;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Split (tf2onnx and newer exporters use it for chunking) against ONNX Runtime, attribute and input forms. */
class SplitOpTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "opset {0}")
    @ValueSource(ints = {11, 13})
    void splitMatchesOnnxRuntime(int opset) throws Exception {
        Onnx.NodeProto.Builder split = Onnx.NodeProto.newBuilder().setOpType("Split").setName("split")
                .addInput("x").addOutput("a").addOutput("b")
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("axis").setType(Onnx.AttributeProto.AttributeType.INT).setI(1));
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder()
                .addInput(org.cnnexplain.testutil.OnnxModels.value("x", 1, 6, 3, 3))
                .addOutput(org.cnnexplain.testutil.OnnxModels.value("b"));
        if (opset >= 13) {
            g.addInitializer(Onnx.TensorProto.newBuilder().setName("sizes").setDataType(7).addDims(2)
                    .addInt64Data(2).addInt64Data(4));
            split.addInput("sizes");
        } else {
            split.addAttribute(Onnx.AttributeProto.newBuilder().setName("split")
                    .setType(Onnx.AttributeProto.AttributeType.INTS).addInts(2).addInts(4));
        }
        g.addNode(split);
        Path file = Files.write(tmp.resolve("split.onnx"), Onnx.ModelProto.newBuilder().setIrVersion(7)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(opset)).setGraph(g).build().toByteArray());
        float[] x = new float[54];
        for (int i = 0; i < x.length; i++) {
            x[i] = i * 0.5f - 3;
        }
        try (ExplainableModel m = ModelLoader.load(file, "cpu"); NDManager run = m.newRun()) {
            NDArray in = run.create(x, new Shape(1, 6, 3, 3));
            float[] ours = m.forward(run, in, List.of()).logits().toFloatArray();
            float[] ref = OnnxRuntimeOracle.run(file, new Npy(new long[] {1, 6, 3, 3}, x));
            assertArrayEquals(ref, ours);
        }
    }
}
