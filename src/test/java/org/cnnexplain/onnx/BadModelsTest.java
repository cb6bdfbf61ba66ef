package org.cnnexplain.onnx;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.GradCam;
import org.cnnexplain.explain.Target;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.onnx.proto.Onnx;
import org.cnnexplain.testutil.OnnxModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.cnnexplain.testutil.OnnxModels.floats;
import static org.cnnexplain.testutil.OnnxModels.ints;
import static org.cnnexplain.testutil.OnnxModels.node;
import static org.cnnexplain.testutil.OnnxModels.value;

/** Structurally broken or unsupported models are refused with a one-line reason. */
class BadModelsTest {

    @TempDir
    Path tmp;

    Path save(String file, Onnx.GraphProto.Builder graph) throws Exception {
        Onnx.ModelProto m = Onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(graph).build();
        return Files.write(tmp.resolve(file), m.toByteArray());
    }

    static void assertRefused(Runnable r, String expected) {
        UserError e = assertThrows(UserError.class, r::run);
        assertTrue(e.getMessage().contains(expected) && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aCycleIsRefused() throws Exception {
        Path p = save("cycle.onnx", Onnx.GraphProto.newBuilder().addInput(value("x", 1, 1, 4, 4)).addOutput(value("b"))
                .addNode(node("Add", "first", new String[] {"x", "b"}, "a"))
                .addNode(node("Relu", "second", new String[] {"a"}, "b")));
        assertRefused(() -> ModelLoader.load(p, "cpu"), "cycle");
    }

    @Test
    void aMissingInitializerIsNamed() throws Exception {
        Path p = save("missing.onnx", Onnx.GraphProto.newBuilder().addInput(value("x", 1, 1, 4, 4)).addOutput(value("y"))
                .addNode(node("Conv", "conv", new String[] {"x", "weights"}, "y")));
        assertRefused(() -> ModelLoader.load(p, "cpu"), "'weights'");
    }

    @Test
    void anUnsupportedAttributeIsNamedWithItsNode() throws Exception {
        Path p = save("dilated.onnx", Onnx.GraphProto.newBuilder().addInput(value("x", 1, 1, 8, 8)).addOutput(value("y"))
                .addNode(node("MaxPool", "pool", new String[] {"x"}, "y", ints("kernel_shape", 2, 2),
                        ints("dilations", 2, 2))));
        try (ExplainableModel m = ModelLoader.load(p, "cpu")) {
            assertRefused(m::layers, "MaxPool node 'pool': dilated pooling is not supported");
        }
    }

    @Test
    void aModelWithoutASpatialLayerCannotBeExplainedByCam() throws Exception {
        Path p = save("dense.onnx", Onnx.GraphProto.newBuilder().addInput(value("x", 1, 4)).addOutput(value("y"))
                .addInitializer(floats("w", new float[8], 2, 4))
                .addNode(node("Gemm", "fc", new String[] {"x", "w"}, "y",
                        Onnx.AttributeProto.newBuilder().setName("transB").setType(Onnx.AttributeProto.AttributeType.INT)
                                .setI(1).build())));
        try (ExplainableModel m = ModelLoader.load(p, "cpu"); NDManager run = m.newRun()) {
            assertRefused(() -> new GradCam().explain(m, run, run.zeros(new ai.djl.ndarray.types.Shape(1, 4)), "auto",
                    Target.top1()), "no layer with a spatial output");
        }
    }

    @Test
    void aDynamicInputSizeTakesAnySize() throws Exception {
        Path p = save("dynamic.onnx", Onnx.GraphProto.newBuilder().addInput(value("x", -1, 1, -1, -1)).addOutput(value("y"))
                .addNode(node("Relu", "relu", new String[] {"x"}, "y")));
        try (ExplainableModel m = ModelLoader.load(p, "cpu")) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {1, 1, 256, 256}, m.layers().get(0).shape());
            org.junit.jupiter.api.Assertions.assertArrayEquals(new long[] {1, 1, 5, 7},
                    m.layers(m.shapeFor(5, 7)).get(0).shape());
        }
    }

    @Test
    void aDynamicGraphThatCannotRunIsRefusedNamingTheSize() throws Exception {
        Path p = save("mismatch.onnx", Onnx.GraphProto.newBuilder().addInput(value("x", -1, 1, -1, -1)).addOutput(value("y"))
                .addNode(node("MaxPool", "pool", new String[] {"x"}, "p", OnnxModels.ints("kernel_shape", 2, 2),
                        OnnxModels.ints("strides", 2, 2)))
                .addNode(node("Concat", "cat", new String[] {"x", "p"}, "y", OnnxModels.intAttr("axis", 1))));
        try (ExplainableModel m = ModelLoader.load(p, "cpu")) {
            assertRefused(m::layers, "at an input of 128 x 128 pixels: Concat node 'cat' failed");
        }
    }
}
