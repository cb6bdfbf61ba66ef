package org.cnnexplain.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.cnnexplain.graph.ExecutorProfile;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.onnx.proto.Onnx;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.OnnxModels;
import org.cnnexplain.testutil.OnnxRuntimeOracle;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the executor profile proves: forward-only runs record no autograd history, and a run copies
 * between Java and tensors (host and device on a GPU) a fixed number of times, whatever the depth.
 */
class ExecutorProfileTest {

    @TempDir
    Path tmp;

    @AfterEach
    void off() {
        ExecutorProfile.setEnabled(false);
        ExecutorProfile.reset();
    }

    /**
     * Every forward-only method on the demo model, on a fresh thread (where libtorch's grad mode is on,
     * as it is on any thread but the one that started the engine): no node output takes part in autograd.
     * Grad-CAM, which needs the gradient, does record (the check can fail).
     */
    @Test
    void forwardOnlyRunsRecordNoAutograd() throws Exception {
        try (ExplainableModel m = ModelLoader.load(TestModels.DEMO_MODEL, "cpu")) {
            long[] shape = m.inputShape();
            shape[0] = 2;
            float[] data = random(shape, 1);
            Target top1 = Target.top1();
            Map<String, Consumer<NDArray>> forwardOnly = new LinkedHashMap<>();
            forwardOnly.put("predict", x -> m.logits(x.getManager(), x));
            forwardOnly.put("feature maps", x -> FeatureMaps.compute(m, x.getManager(), x, "block4", null, "none"));
            forwardOnly.put("CAM", x -> new Cam().explain(m, x.getManager(), x, "block4", top1));
            forwardOnly.put("Score-CAM", x -> CamVariants.byName("scorecam", 8).explain(m, x.getManager(), x, "block4", top1));
            forwardOnly.put("Eigen-CAM", x -> CamVariants.byName("eigencam", 0).explain(m, x.getManager(), x, "block4", top1));
            Map<String, Long> recorded = new LinkedHashMap<>();
            Map<String, Long> runs = new LinkedHashMap<>();
            Consumer<NDArray> gradCam = x -> CamVariants.byName("gradcam", 0).explain(m, x.getManager(), x, "block4", top1);
            Map<String, Consumer<NDArray>> all = new LinkedHashMap<>(forwardOnly);
            all.put("Grad-CAM", gradCam);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            boolean[] gradMode = new boolean[1];
            Thread t = new Thread(() -> {
                try {
                    gradMode[0] = JniUtils.isGradMode();
                    ExecutorProfile.setEnabled(true);
                    for (var e : all.entrySet()) {
                        ExecutorProfile.reset();
                        try (NDManager run = m.newRun()) {
                            e.getValue().accept(Tensors.of(run, data, new Shape(shape)));
                        }
                        recorded.put(e.getKey(), ExecutorProfile.totals().recordingOutputs());
                        runs.put(e.getKey(), ExecutorProfile.totals().runs());
                    }
                } catch (Throwable x) {
                    failure.set(x);
                }
            });
            t.start();
            t.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertTrue(gradMode[0], "libtorch's grad mode is on on a fresh thread: the check below means something");
            for (String method : forwardOnly.keySet()) {
                assertTrue(runs.get(method) > 0, method + " ran the executor");
                assertEquals(0L, recorded.get(method), method + ": node outputs recorded by autograd " + recorded);
            }
            assertTrue(recorded.get("Grad-CAM") > 0, "Grad-CAM records the nodes after its layer: " + recorded);
        }
    }

    /**
     * A forward pass and a Grad-CAM run of a 10-block and a 40-block chain (Pad, Conv, BatchNormalization,
     * ReLU6 as a Clip with Constant bounds, HardSwish: what torch exports for MobileNet- and DenseNet-like nets; then
     * a flatten through Shape/Gather/Unsqueeze/Concat/Reshape) make the same copies between Java and
     * tensors: no node reads float data into Java, and the copies inside the executor are int64 shape
     * arithmetic only. The chain matches ONNX Runtime (the constant-folded and specialised ops are right).
     */
    @Test
    void copiesDoNotGrowWithDepth() throws Exception {
        Map<String, Long> forward10 = copies(10, false);
        Map<String, Long> forward40 = copies(40, false);
        Map<String, Long> gradCam10 = copies(10, true);
        Map<String, Long> gradCam40 = copies(40, true);
        assertEquals(forward10, forward40, "forward copies at depth 10 and 40");
        assertEquals(gradCam10, gradCam40, "Grad-CAM copies at depth 10 and 40");
        for (Map<String, Long> c : List.of(forward40, gradCam40)) {
            for (var e : c.entrySet()) {
                boolean inExecutor = !e.getKey().contains(ExecutorProfile.OUTSIDE);
                assertTrue(!inExecutor || e.getKey().contains("int64"), "a node copies float data: " + c);
                assertTrue(!inExecutor || e.getKey().matches(".*\\(in (Shape|Reshape|Gather|Unsqueeze|Concat)\\)"),
                        "only shape arithmetic copies inside the executor: " + c);
                assertTrue(e.getValue() <= 2, "a small constant: " + c);
            }
        }
        assertEquals(1L, forward40.getOrDefault("to Java int64 (in Reshape)", 0L), forward40.toString());
    }

    private Map<String, Long> copies(int depth, boolean gradCam) throws Exception {
        Path file = chain(depth);
        long[] shape = {1, 4, 12, 12};
        float[] x = random(shape, 2);
        try (ExplainableModel m = ModelLoader.load(file, "cpu"); NDManager run = m.newRun()) {
            NDArray in = Tensors.of(run, x, new Shape(shape));
            ExecutorProfile.setEnabled(true);
            ExecutorProfile.reset();
            NDArray logits = m.logits(run, in);
            if (gradCam) {
                CamMethod method = CamVariants.byName("gradcam", 0);
                method.explain(m, run, in, "relu" + (depth - 1), Target.top1());   // the layer table, once per size
                ExecutorProfile.reset();
                method.explain(m, run, in, "relu" + (depth - 1), Target.top1());
            }
            Map<String, Long> c = ExecutorProfile.totals().copies();
            System.out.println("depth " + depth + (gradCam ? " Grad-CAM" : " forward") + ": " + c);
            ExecutorProfile.setEnabled(false);
            assertEquals(1, ExecutorProfile.totals().runs());
            float[] ref = OnnxRuntimeOracle.run(file, new Npy(shape, x));
            float[] ours = logits.toFloatArray();
            for (int i = 0; i < ref.length; i++) {
                assertEquals(ref[i], ours[i], 1e-4 * (1 + Math.abs(ref[i])), "logit " + i + " at depth " + depth);
            }
            return c;
        }
    }

    /** Pad → Conv → BatchNormalization → Clip(0, 6) → HardSwish blocks, global average pooling, flatten, Gemm. */
    private Path chain(int depth) throws Exception {
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().addInput(OnnxModels.value("x", 1, 4, 12, 12))
                .addOutput(OnnxModels.value("logits"));
        Random r = new Random(depth);
        String prev = "x";
        for (int b = 0; b < depth; b++) {
            g.addNode(constant("pads" + b, longs(0, 0, 1, 1, 0, 0, 1, 1)));
            g.addNode(OnnxModels.node("Pad", "pad" + b, new String[] {prev, "pads" + b}, "p" + b));
            g.addInitializer(OnnxModels.floats("w" + b, gaussian(r, 4 * 4 * 9, 0.25f), 4, 4, 3, 3));
            g.addInitializer(OnnxModels.floats("cb" + b, gaussian(r, 4, 0.1f), 4));
            g.addNode(OnnxModels.node("Conv", "conv" + b, new String[] {"p" + b, "w" + b, "cb" + b}, "c" + b,
                    OnnxModels.ints("kernel_shape", 3, 3)));
            g.addInitializer(OnnxModels.floats("s" + b, new float[] {1.1f, 0.9f, 1.2f, 0.8f}, 4));
            g.addInitializer(OnnxModels.floats("sh" + b, new float[] {0.1f, -0.1f, 0.05f, 0f}, 4));
            g.addInitializer(OnnxModels.floats("mu" + b, new float[] {0.02f, -0.03f, 0.01f, 0f}, 4));
            g.addInitializer(OnnxModels.floats("var" + b, new float[] {0.9f, 1.1f, 1.3f, 0.7f}, 4));
            g.addNode(OnnxModels.node("BatchNormalization", "bn" + b,
                    new String[] {"c" + b, "s" + b, "sh" + b, "mu" + b, "var" + b}, "n" + b));
            g.addNode(constant("lo" + b, OnnxModels.floats("", new float[] {0f})));
            g.addNode(constant("hi" + b, OnnxModels.floats("", new float[] {6f})));
            g.addNode(OnnxModels.node("Clip", "relu" + b, new String[] {"n" + b, "lo" + b, "hi" + b}, "q" + b));
            g.addNode(OnnxModels.node("HardSwish", "hswish" + b, new String[] {"q" + b}, "r" + b));
            prev = "r" + b;
        }
        g.addNode(OnnxModels.node("GlobalAveragePool", "gap", new String[] {prev}, "g"));
        g.addNode(OnnxModels.node("Shape", "shape", new String[] {"g"}, "sg"));
        g.addInitializer(OnnxModels.int64s("zero", 0).toBuilder().clearDims().build());
        g.addNode(OnnxModels.node("Gather", "batch", new String[] {"sg", "zero"}, "nb"));
        g.addInitializer(OnnxModels.int64s("axis0", 0));
        g.addNode(OnnxModels.node("Unsqueeze", "unsq", new String[] {"nb", "axis0"}, "nb1"));
        g.addInitializer(OnnxModels.int64s("minus1", -1));
        g.addNode(OnnxModels.node("Concat", "cat", new String[] {"nb1", "minus1"}, "shp", OnnxModels.intAttr("axis", 0)));
        g.addNode(OnnxModels.node("Reshape", "flat", new String[] {"g", "shp"}, "f"));
        g.addInitializer(OnnxModels.floats("fw", gaussian(r, 3 * 4, 1f), 3, 4));
        g.addInitializer(OnnxModels.floats("fb", new float[] {0.1f, 0f, -0.1f}, 3));
        g.addNode(OnnxModels.node("Gemm", "fc", new String[] {"f", "fw", "fb"}, "logits",
                OnnxModels.intAttr("transB", 1)));
        return Files.write(tmp.resolve("chain" + depth + ".onnx"), OnnxModels.model(14, g));
    }

    private static Onnx.NodeProto constant(String out, Onnx.TensorProto value) {
        Onnx.TensorProto scalarOrVector = value.getDataType() == 1 ? value.toBuilder().clearDims().build() : value;
        return OnnxModels.node("Constant", out + "_node", new String[0], out,
                Onnx.AttributeProto.newBuilder().setName("value").setType(Onnx.AttributeProto.AttributeType.TENSOR)
                        .setT(scalarOrVector).build());
    }

    private static Onnx.TensorProto longs(long... v) {
        return OnnxModels.int64s("", v);
    }

    private static float[] gaussian(Random r, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * scale;
        }
        return v;
    }

    private static float[] random(long[] shape, long seed) {
        Random r = new Random(seed);
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }
}
