package org.cnnexplain.graph;

import static org.cnnexplain.testutil.OnnxModels.floatAttr;
import static org.cnnexplain.testutil.OnnxModels.floats;
import static org.cnnexplain.testutil.OnnxModels.int64s;
import static org.cnnexplain.testutil.OnnxModels.intAttr;
import static org.cnnexplain.testutil.OnnxModels.ints;
import static org.cnnexplain.testutil.OnnxModels.node;
import static org.cnnexplain.testutil.OnnxModels.stringAttr;
import static org.cnnexplain.testutil.OnnxModels.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.cnnexplain.UserError;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.onnx.proto.Onnx;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.OnnxModels;
import org.cnnexplain.testutil.OnnxRuntimeOracle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What changed for the supported ops between opset 17 and 21, each built as a small graph (torch 1.13
 * exports up to 17) and run by the engine and by ONNX Runtime 1.20: Reduce* axes as an input (18),
 * Split num_outputs (18), Pad axes (18) and wrap (19), Resize axes / keep_aspect_ratio_policy /
 * antialias (18) and half_pixel_symmetric (19), and a small CNN at opset 21 (IR 10), whose
 * ops changed only in the types they accept.
 */
class Opset18To21Test {

    @TempDir
    Path tmp;

    static final long[] X = {1, 2, 7, 9};

    @Test
    void reductionsTakeTheirAxesAsAnInputFrom18() throws Exception {
        for (String op : List.of("ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum")) {
            for (int keep = 0; keep <= 1; keep++) {
                check(18, g(X).addInitializer(int64s("axes", 2, -1))
                        .addNode(node(op, "r", new String[] {"x", "axes"}, "y", intAttr("keepdims", keep))), X,
                        op + " keepdims=" + keep);
            }
        }
        check(18, g(X).addNode(node("ReduceMean", "r", new String[] {"x"}, "y", intAttr("keepdims", 0))), X,
                "ReduceMean over all axes");
    }

    @Test
    void splitIntoNumOutputsFrom18() throws Exception {
        for (String out : List.of("a", "b", "c")) {   // 9 into 3 equal parts; 7 into 3, 3, 1
            for (int axis : new int[] {2, 3}) {
                check(18, g(X).addNode(node("Split", "s", new String[] {"x"}, new String[] {"a", "b", "c"},
                        intAttr("axis", axis), intAttr("num_outputs", 3))).addNode(
                        node("Identity", "id", new String[] {out}, "y")), X, "Split axis " + axis + " output " + out);
            }
        }
    }

    @Test
    void padWithAxesFrom18AndWrapFrom19() throws Exception {
        check(18, g(X).addInitializer(int64s("pads", 1, 2, 3, 0)).addInitializer(int64s("axes", 2, 3))
                .addInitializer(floats("v", new float[] {0.5f}))
                .addNode(node("Pad", "p", new String[] {"x", "pads", "v", "axes"}, "y")), X, "Pad axes");
        check(18, g(X).addInitializer(int64s("pads", 2, 1, 1, 3)).addInitializer(int64s("axes", -2, -1))
                .addNode(node("Pad", "p", new String[] {"x", "pads", "", "axes"}, "y", stringAttr("mode", "reflect"))),
                X, "Pad reflect axes");
        check(19, g(X).addInitializer(int64s("pads", 0, 0, 2, 1, 0, 0, 1, 3))
                .addNode(node("Pad", "p", new String[] {"x", "pads"}, "y", stringAttr("mode", "wrap"))), X, "Pad wrap");
        check(21, g(X).addInitializer(int64s("pads", 1, 1, 1, 1)).addInitializer(int64s("axes", 2, 3))
                .addNode(node("Pad", "p", new String[] {"x", "pads", "", "axes"}, "y", stringAttr("mode", "wrap"))),
                X, "Pad wrap, opset 21");
    }

    @Test
    void resizeAxesAspectRatioAntialiasAndSymmetricHalfPixel() throws Exception {
        check(18, g(X).addInitializer(floats("scales", new float[] {2f, 1.5f}, 2)).addInitializer(floats("roi", new float[0], 0))
                .addNode(node("Resize", "r", new String[] {"x", "roi", "scales"}, "y", ints("axes", 2, 3),
                        stringAttr("mode", "linear"))), X, "Resize axes + scales 2 x 1.5");
        for (String policy : List.of("not_larger", "not_smaller")) {
            check(18, g(X).addInitializer(int64s("sizes", 12, 12))
                    .addNode(node("Resize", "r", new String[] {"x", "", "", "sizes"}, "y", ints("axes", 2, 3),
                            stringAttr("mode", "linear"), stringAttr("keep_aspect_ratio_policy", policy))), X,
                    "Resize sizes " + policy);
        }
        long[] big = {1, 2, 20, 23};
        for (float scale : new float[] {0.5f, 0.6f, 0.35f}) {
            check(18, g(big).addInitializer(floats("scales", new float[] {1f, 1f, scale, scale}, 4))
                    .addNode(node("Resize", "r", new String[] {"x", "", "scales"}, "y", intAttr("antialias", 1),
                            stringAttr("mode", "linear"))), big, "Resize antialias " + scale);
            check(18, g(big).addInitializer(floats("scales", new float[] {1f, 1f, scale, scale}, 4))
                    .addNode(node("Resize", "r", new String[] {"x", "", "scales"}, "y", intAttr("antialias", 1),
                            intAttr("exclude_outside", 1), stringAttr("mode", "linear"))), big,
                    "Resize antialias exclude_outside " + scale);
        }
        for (float scale : new float[] {1.7f, 0.6f, 2f}) {
            for (String mode : List.of("linear", "nearest")) {
                check(19, g(X).addInitializer(floats("scales", new float[] {1f, 1f, scale, scale}, 4))
                        .addNode(node("Resize", "r", new String[] {"x", "", "scales"}, "y", stringAttr("mode", mode),
                                stringAttr("coordinate_transformation_mode", "half_pixel_symmetric"))), X,
                        "Resize half_pixel_symmetric " + mode + " " + scale);
            }
        }
        check(18, g(X).addInitializer(floats("scales", new float[] {1f, 1f, 1.7f, 0.6f}, 4))
                .addNode(node("Resize", "r", new String[] {"x", "", "scales"}, "y", stringAttr("mode", "linear"))), X,
                "Resize non-integer scales use the given scale");
    }

    @Test
    void aSmallCnnAtOpset21() throws Exception {
        Random r = new Random(7);
        long[] x = {2, 3, 16, 16};
        Onnx.GraphProto.Builder g = g(x)
                .addInitializer(floats("w", randoms(r, 8 * 3 * 9), 8, 3, 3, 3))
                .addInitializer(floats("b", randoms(r, 8), 8))
                .addInitializer(floats("scale", positives(r, 8), 8)).addInitializer(floats("bias", randoms(r, 8), 8))
                .addInitializer(floats("mean", randoms(r, 8), 8)).addInitializer(floats("var", positives(r, 8), 8))
                .addInitializer(floats("fc", randoms(r, 5 * 8), 5, 8)).addInitializer(floats("fcb", randoms(r, 5), 5))
                .addInitializer(int64s("axes", 2, 3)).addInitializer(int64s("shape", 0, -1))
                .addNode(node("Conv", "conv", new String[] {"x", "w", "b"}, "c", ints("pads", 1, 1, 1, 1)))
                .addNode(node("BatchNormalization", "bn", new String[] {"c", "scale", "bias", "mean", "var"}, "n"))
                .addNode(node("Relu", "relu", new String[] {"n"}, "a"))
                .addNode(node("MaxPool", "pool", new String[] {"a"}, "p", ints("kernel_shape", 2, 2), ints("strides", 2, 2)))
                .addNode(node("HardSwish", "hs", new String[] {"p"}, "h"))
                .addNode(node("ReduceMean", "gap", new String[] {"h", "axes"}, "m", intAttr("keepdims", 1)))
                .addNode(node("Reshape", "flat", new String[] {"m", "shape"}, "f"))
                .addNode(node("Gemm", "fc", new String[] {"f", "fc", "fcb"}, "y", intAttr("transB", 1),
                        floatAttr("alpha", 1f)));
        check(21, g, x, "CNN at opset 21");
    }

    @Test
    void whatIsNotSupportedIsNamed() throws Exception {
        Path file = save(19, g(X).addNode(node("AveragePool", "avg", new String[] {"x"}, "y", ints("kernel_shape", 2, 2),
                ints("dilations", 2, 2))));
        try (ExplainableModel m = ModelLoader.load(file, "cpu"); NDManager run = m.newRun()) {
            UserError e = assertThrows(UserError.class, () -> m.forward(run, input(run, X), List.of()));
            assertTrue(e.getMessage().contains("AveragePool node 'avg'") && e.getMessage().contains("dilated"),
                    e.getMessage());
        }
    }

    @Test
    void anOpsetNewerThan21IsRefusedNamingTheRange() throws Exception {
        Path file = save(22, g(X).addNode(node("Relu", "relu", new String[] {"x"}, "y")));
        UserError e = assertThrows(UserError.class, () -> ModelLoader.load(file, "cpu"));
        assertTrue(e.getMessage().contains("opset 22") && e.getMessage().contains("7 to 21"), e.getMessage());
    }

    private static Onnx.GraphProto.Builder g(long[] shape) {
        return Onnx.GraphProto.newBuilder().addInput(value("x", shape)).addOutput(value("y"));
    }

    private Path save(int opset, Onnx.GraphProto.Builder graph) throws Exception {
        return Files.write(Files.createTempFile(tmp, "op" + opset, ".onnx"), OnnxModels.model(opset, graph));
    }

    private static float[] data(long[] shape) {
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) Math.sin(i * 0.37) * 2 + (i % 5) * 0.1f;
        }
        return v;
    }

    private static NDArray input(NDManager run, long[] shape) {
        return Tensors.of(run, data(shape), new Shape(shape));
    }

    private static float[] randoms(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * 0.5f;
        }
        return v;
    }

    private static float[] positives(Random r, int n) {
        float[] v = randoms(r, n);
        for (int i = 0; i < n; i++) {
            v[i] = Math.abs(v[i]) + 0.5f;
        }
        return v;
    }

    private void check(int opset, Onnx.GraphProto.Builder graph, long[] shape, String what) throws Exception {
        Path file = save(opset, graph);
        float[] ref = OnnxRuntimeOracle.run(file, new Npy(shape, data(shape)));
        try (ExplainableModel m = ModelLoader.load(file, "cpu"); NDManager run = m.newRun()) {
            float[] ours = m.forward(run, input(run, shape), List.of()).logits().toFloatArray();
            assertArrayEquals(ref, ours, 1e-5f, what + " (opset " + opset + ")");
        }
    }
}
