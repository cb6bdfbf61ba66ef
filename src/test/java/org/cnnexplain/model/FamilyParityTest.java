package org.cnnexplain.model;

import static org.cnnexplain.testutil.Compare.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import org.cnnexplain.testutil.Compare;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.OnnxRuntimeOracle;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Forward parity of the families users fine-tune (make_family_models.py): reduced
 * densenet121, efficientnet_b0, mobilenet_v3_small, squeezenet1_1 and
 * shufflenet_v2 structures, a 3-D CNN for z-stacks and a small U-Net
 * (make_volume_seg_models.py) exported at opset 11, 13 and 17, against eager
 * PyTorch and ONNX Runtime.
 */
class FamilyParityTest {

    @ParameterizedTest(name = "{0} opset {1}")
    @CsvSource({"densenets,11", "densenets,13", "densenets,17", "efficientnets,11", "efficientnets,13",
            "efficientnets,17", "mobilenetv3s,11", "mobilenetv3s,13", "mobilenetv3s,17", "squeezenets,11",
            "squeezenets,13", "squeezenets,17", "shufflenets,11", "shufflenets,13", "shufflenets,17", "net3d,11", "net3d,13", "net3d,17", "unet,11", "unet,13", "unet,17"})
    void logitsMatchPyTorchAndOnnxRuntime(String name, int opset) throws Exception {
        Path file = TestModels.parityModel(name, opset);
        Npy input = Npy.read(TestModels.golden(name, "input.npy"));
        Npy logits = Npy.read(TestModels.golden(name, "logits.npy"));
        try (ExplainableModel model = ModelLoader.load(file, "cpu"); NDManager run = model.newRun()) {
            NDArray x = run.create(input.data(), new Shape(input.shape()));
            NDArray y = model.forward(run, x, List.of()).logits();
            assertClose(y.toFloatArray(), y.getShape().getShape(), logits, 1e-4, name + " vs PyTorch");
            double err = Compare.relativeError(y.toFloatArray(), OnnxRuntimeOracle.run(file, input));
            assertTrue(err <= 1e-4, name + " vs ONNX Runtime: " + err);
        }
    }

    /**
     * The full-size torchvision families, from {@code make_family_models.py --full DIR}, passed as
     * {@code -Dcnnexplain.fullsize=DIR} (too large to commit, so not part of CI).
     */
    @ParameterizedTest(name = "full-size {0} opset {1}")
    @CsvSource({"densenet121,11", "densenet121,13", "densenet121,17", "efficientnet_b0,11", "efficientnet_b0,13",
            "efficientnet_b0,17", "mobilenet_v3_small,11", "mobilenet_v3_small,13", "mobilenet_v3_small,17",
            "squeezenet1_1,11", "squeezenet1_1,13", "squeezenet1_1,17", "shufflenet_v2_x0_5,11",
            "shufflenet_v2_x0_5,13", "shufflenet_v2_x0_5,17"})
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "cnnexplain.fullsize", matches = ".+")
    void fullSizeFamilies(String name, int opset) throws Exception {
        Path dir = Path.of(System.getProperty("cnnexplain.fullsize"));
        ForwardParityTest.check(dir.resolve(name + "_op" + opset + ".onnx"), dir.resolve("golden").resolve(name));
    }
}
