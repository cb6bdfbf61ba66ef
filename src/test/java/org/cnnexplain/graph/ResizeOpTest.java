package org.cnnexplain.graph;

import static org.cnnexplain.testutil.OnnxModels.value;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.cnnexplain.testutil.Compare;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Resize (opset 13) against ONNX Runtime for the modes exporters emit (U-Net upsampling). */
class ResizeOpTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} {1} {2} -> {3}x{4}")
    @CsvSource({"nearest,asymmetric,floor,10,8", "linear,half_pixel,round_prefer_floor,10,8",
            "linear,pytorch_half_pixel,round_prefer_floor,7,9", "linear,align_corners,round_prefer_floor,9,6",
            "nearest,half_pixel,round_prefer_floor,8,6", "linear,half_pixel,round_prefer_floor,3,2"})
    void resizeMatchesOnnxRuntime(String mode, String transform, String nearest, long oh, long ow) throws Exception {
        Onnx.NodeProto node = Onnx.NodeProto.newBuilder().setOpType("Resize").setName("resize")
                .addInput("x").addInput("").addInput("").addInput("sizes").addOutput("y")
                .addAttribute(string("mode", mode)).addAttribute(string("coordinate_transformation_mode", transform))
                .addAttribute(string("nearest_mode", nearest)).build();
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().addInput(value("x", 1, 2, 5, 4)).addOutput(value("y"))
                .addInitializer(Onnx.TensorProto.newBuilder().setName("sizes").setDataType(7).addDims(4)
                        .addInt64Data(1).addInt64Data(2).addInt64Data(oh).addInt64Data(ow))
                .addNode(node);
        Path file = Files.write(tmp.resolve("resize.onnx"), Onnx.ModelProto.newBuilder().setIrVersion(7)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build().toByteArray());
        float[] x = new float[40];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i * 0.7) * 3;
        }
        try (ExplainableModel m = ModelLoader.load(file, "cpu"); NDManager run = m.newRun()) {
            float[] ours = m.forward(run, run.create(x, new Shape(1, 2, 5, 4)), List.of()).logits().toFloatArray();
            float[] ref = OnnxRuntimeOracle.run(file, new Npy(new long[] {1, 2, 5, 4}, x));
            double err = Compare.relativeError(ours, ref);
            assertTrue(err <= 1e-5, mode + "/" + transform + ": relative error " + err);
        }
    }

    static Onnx.AttributeProto string(String name, String v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }
}
