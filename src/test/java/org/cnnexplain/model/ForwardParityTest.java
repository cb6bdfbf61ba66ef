package org.cnnexplain.model;

import static org.cnnexplain.testutil.Compare.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnexplain.testutil.Compare;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.OnnxRuntimeOracle;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
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
        check(TestModels.parityModel(name, opset), TestModels.golden(name, "input.npy").getParent());
    }

    /**
     * The full-size torchvision models, when generated with
     * {@code make_parity_models.py --full DIR} and passed as {@code -Dcnnexplain.fullsize=DIR}
     * (too large to commit, so not part of CI).
     */
    @ParameterizedTest(name = "full-size {0} opset {1}")
    @CsvSource({"resnet18,13", "resnet18,17", "vgg11_bn,13", "vgg11_bn,17", "mobilenet_v2,13", "mobilenet_v2,17"})
    @EnabledIfSystemProperty(named = "cnnexplain.fullsize", matches = ".+")
    void fullSizeModels(String name, int opset) throws Exception {
        Path dir = Path.of(System.getProperty("cnnexplain.fullsize"));
        check(dir.resolve(name + "_op" + opset + ".onnx"), dir.resolve("golden").resolve(name));
    }

    static void check(Path file, Path golden) throws Exception {
        String name = file.getFileName().toString();
        Npy input = Npy.read(golden.resolve("input.npy"));
        Npy logits = Npy.read(golden.resolve("logits.npy"));
        Npy tap = Npy.read(golden.resolve("tap.npy"));
        String module = JsonParser.parseString(Files.readString(golden.resolve("meta.json")))
                .getAsJsonObject().get("tap_module").getAsString();

        try (ExplainableModel model = ModelLoader.load(file, "cpu"); NDManager run = model.newRun()) {
            NDArray x = run.create(input.data(), new Shape(input.shape()));
            ExplainableModel.Forward f = model.forward(run, x, List.of(module));
            assertClose(f.logits().toFloatArray(), f.logits().getShape().getShape(), logits, TOLERANCE, name + " logits vs PyTorch");
            NDArray t = f.tap(module);
            assertClose(t.toFloatArray(), t.getShape().getShape(), tap, TOLERANCE, name + " " + module + " vs PyTorch hook");

            float[] ort = OnnxRuntimeOracle.run(file, input);
            double err = Compare.relativeError(f.logits().toFloatArray(), ort);
            assertTrue(err <= TOLERANCE, name + " logits vs ONNX Runtime: relative error " + err);
        }
    }

}
