package org.cnnexplain.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.onnx.proto.Onnx;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.OnnxModels;
import org.cnnexplain.testutil.OnnxRuntimeOracle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 2 × 2, stride-2 max pool taken as two element-wise maxima of strided views (forward-only runs):
 * the same values as libtorch's max pool bit for bit, odd sizes (floor mode), ties and NaN included, and
 * as ONNX Runtime's through a model; a run that back-propagates through the node keeps libtorch's pool.
 */
class MaxPoolHalvingTest {

    @TempDir
    Path tmp;

    private static float[] data(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            // a third of the values tie at zero, as after a ReLU
            x[i] = r.nextInt(3) == 0 ? 0f : (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void halvingEqualsLibtorchsMaxPoolBitForBit() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            for (long[] s : new long[][] {{3, 4, 9, 7}, {2, 16, 128, 128}, {1, 1, 2, 2}}) {
                float[] v = data((int) (s[0] * s[1] * s[2] * s[3]), 1);
                v[1] = Float.NaN;   // row 0, column 1: the first window
                NDArray x = Tensors.of(m, v, new Shape(s));
                float[] fast = PoolOps.halve(x).toFloatArray();
                float[] torch = Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false).toFloatArray();
                assertEquals(torch.length, fast.length);
                for (int i = 0; i < torch.length; i++) {
                    assertEquals(Float.floatToIntBits(torch[i]), Float.floatToIntBits(fast[i]),
                            "element " + i + " of " + java.util.Arrays.toString(s));
                }
                assertTrue(Float.isNaN(fast[0]), "the NaN wins its window");
            }
        }
    }

    @Test
    void aModelsMaxPoolMatchesOnnxRuntime() throws Exception {
        Onnx.NodeProto.Builder pool = Onnx.NodeProto.newBuilder().setOpType("MaxPool").setName("pool")
                .addInput("x").addOutput("y")
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("kernel_shape")
                        .setType(Onnx.AttributeProto.AttributeType.INTS).addInts(2).addInts(2))
                .addAttribute(Onnx.AttributeProto.newBuilder().setName("strides")
                        .setType(Onnx.AttributeProto.AttributeType.INTS).addInts(2).addInts(2));
        Onnx.GraphProto g = Onnx.GraphProto.newBuilder().addInput(OnnxModels.value("x", 2, 3, 11, 8))
                .addOutput(OnnxModels.value("y")).addNode(pool).build();
        Path file = Files.write(tmp.resolve("pool.onnx"), Onnx.ModelProto.newBuilder().setIrVersion(7)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build().toByteArray());
        float[] x = data(2 * 3 * 11 * 8, 2);
        try (ExplainableModel m = ModelLoader.load(file, "cpu"); NDManager run = m.newRun()) {
            float[] ours = m.forward(run, Tensors.of(run, x, new Shape(2, 3, 11, 8)), List.of()).logits().toFloatArray();
            float[] ref = OnnxRuntimeOracle.run(file, new Npy(new long[] {2, 3, 11, 8}, x));
            assertArrayEquals(ref, ours);
        }
    }

    @Test
    void aRecordedInputKeepsLibtorchsPool() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = Tensors.of(m, data(64, 3), new Shape(1, 1, 8, 8));
            assertTrue(AutogradHistory.surelyNone(x), "a plain tensor records nothing");
            x.setRequiresGradient(true);
            assertTrue(!AutogradHistory.surelyNone(x), "a tensor that requires a gradient is not halved");
        }
    }
}
