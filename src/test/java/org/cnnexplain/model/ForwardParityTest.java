package org.cnnexplain.model;

import static org.cnnexplain.testutil.Compare.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.gson.JsonParser;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cnnexplain.testutil.Compare;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Logits of reduced-width resnet18 / vgg11_bn / mobilenet_v2 models (random
 * weights, non-trivial BatchNorm statistics), exported by torch 1.13 at opset 13
 * and 17, against eager PyTorch (goldens from make_parity_models.py) and against
 * ONNX Runtime run here; plus one tapped layer against a PyTorch forward hook.
 */
class ForwardParityTest {

    static final double TOLERANCE = 1e-4;

    @ParameterizedTest(name = "{0} opset {1}")
    @CsvSource({"resnet18s,13", "resnet18s,17", "vgg11bns,13", "vgg11bns,17", "mobilenetv2s,13", "mobilenetv2s,17"})
    void logitsAndTapMatchPyTorchAndOnnxRuntime(String name, int opset) throws Exception {
        Path file = TestModels.parityModel(name, opset);
        Npy input = Npy.read(TestModels.golden(name, "input.npy"));
        Npy logits = Npy.read(TestModels.golden(name, "logits.npy"));
        Npy tap = Npy.read(TestModels.golden(name, "tap.npy"));
        String module = JsonParser.parseString(Files.readString(TestModels.golden(name, "meta.json")))
                .getAsJsonObject().get("tap_module").getAsString();

        try (ExplainableModel model = ModelLoader.load(file, "cpu"); NDManager run = model.newRun()) {
            NDArray x = run.create(input.data(), new Shape(input.shape()));
            ExplainableModel.Forward f = model.forward(run, x, List.of(module));
            assertClose(f.logits().toFloatArray(), f.logits().getShape().getShape(), logits, TOLERANCE, name + " logits vs PyTorch");
            NDArray t = f.tap(module);
            assertClose(t.toFloatArray(), t.getShape().getShape(), tap, TOLERANCE, name + " " + module + " vs PyTorch hook");

            float[] ort = onnxRuntime(file, input);
            double err = Compare.relativeError(f.logits().toFloatArray(), ort);
            assertTrue(err <= TOLERANCE, name + " logits vs ONNX Runtime: relative error " + err);
        }
    }

    static float[] onnxRuntime(Path file, Npy input) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input.data()), input.shape());
             OrtSession.Result r = session.run(Map.of(session.getInputNames().iterator().next(), x))) {
            OnnxTensor out = (OnnxTensor) r.get(0);
            FloatBuffer b = out.getFloatBuffer();
            float[] v = new float[b.remaining()];
            b.get(v);
            return v;
        }
    }
}
