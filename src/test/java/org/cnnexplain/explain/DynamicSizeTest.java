package org.cnnexplain.explain;

import static org.cnnexplain.testutil.Compare.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnexplain.UserError;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.model.ModelSpec;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Models exported with dynamic height and width (make_dynamic_models.py), no spec file:
 * logits and Grad-CAM (default layer, default target) at two sizes, one non-square,
 * against eager PyTorch with plain autograd; and the U-Net at a size that is not a
 * multiple of 4, mirrored out and cropped back, against the same done in PyTorch.
 */
class DynamicSizeTest {

    static final double TOL = 1e-4;

    static Path model(String name, int opset) {
        return Path.of("src/test/resources/models", name + "_dyn_op" + opset + ".onnx");
    }

    static Path golden(String tag, String file) {
        return Path.of("src/test/resources/golden/dynamic", tag, file);
    }

    static NDArray input(NDManager run, String tag) {
        Npy in = Npy.read(golden(tag, "input.npy"));
        return Tensors.of(run, in.data(), new Shape(in.shape()));
    }

    static int[] classes(String tag) throws Exception {
        JsonObject meta = JsonParser.parseString(Files.readString(golden(tag, "meta.json"))).getAsJsonObject();
        return meta.getAsJsonArray("classes").asList().stream().mapToInt(e -> e.getAsInt()).toArray();
    }

    @ParameterizedTest(name = "{0} opset {1}")
    @CsvSource({"resnet18s,13,/layer4/", "resnet18s,17,/layer4/", "mobilenetv2s,13,/features/",
            "mobilenetv2s,17,/features/", "unet,13,/dec2/", "unet,17,/dec2/"})
    void forwardAndGradCamAtTwoSizes(String name, int opset, String autoLayer) throws Exception {
        Path file = model(name, opset);
        assertEquals(null, ModelSpec.besideModel(file), "no spec: the size comes from the image");
        try (ExplainableModel m = ModelLoader.load(file, "cpu")) {
            assertTrue(m.takesAnySize());
            for (String size : List.of("64x64", "40x72")) {
                String tag = name + "_" + size;
                try (NDManager run = m.newRun()) {
                    NDArray x = input(run, tag);
                    NDArray logits = m.logits(run, x);
                    assertClose(logits.toFloatArray(), logits.getShape().getShape(),
                            Npy.read(golden(tag, "logits.npy")), TOL, tag + " logits");
                    System.out.printf("%s opset %d logits: relative error %.2e%n", tag, opset,
                            org.cnnexplain.testutil.Compare.relativeError(logits.toFloatArray(),
                                    Npy.read(golden(tag, "logits.npy")).data()));
                    Layer auto = LayerChoice.resolve(m, "auto", x.getShape().getShape());
                    assertTrue(auto.name().startsWith(autoLayer), tag + ": auto is " + auto.name());
                    CamResult r = new GradCam().explain(m, run, x, "auto", Target.top1());
                    assertArrayEquals(classes(tag), r.classes(), tag + " target classes");
                    check(r.layerMaps(), Npy.read(golden(tag, "gradcam.npy")), tag + " gradcam");
                    check(r.inputMaps(), Npy.read(golden(tag, "gradcam_input.npy")), tag + " gradcam at input");
                }
            }
        }
    }

    /**
     * 37 x 50 into a U-Net that pools twice and concatenates its skips: mirrored out to 40 x 52,
     * results cropped back; the target sums over the image only (make_dynamic_models.py does the same).
     */
    @Test
    void aSizeTheUNetDoesNotTakeIsPaddedAndCroppedBack() throws Exception {
        String tag = "unet_37x50_padded";
        try (ExplainableModel m = ModelLoader.load(model("unet", 17), "cpu"); NDManager run = m.newRun()) {
            assertArrayEquals(new long[] {4, 4}, m.sizes().multiple(), "two 2x poolings merged with skips");
            NDArray x = input(run, tag);
            NDArray logits = m.logits(run, x);
            assertClose(logits.toFloatArray(), logits.getShape().getShape(), Npy.read(golden(tag, "logits.npy")), TOL,
                    "padded logits");
            UserError refused = assertThrows(UserError.class, () -> new GradCam().explain(m, run, x, "auto",
                    Target.top1()));
            assertTrue(refused.getMessage().contains("multiples of 4 x 4"), refused.getMessage());

            Npy layerGold = Npy.read(golden(tag, "gradcam.npy"));
            Npy inputGold = Npy.read(golden(tag, "gradcam_input.npy"));
            int[] classes = classes(tag);
            ExplainRequest req = ExplainRequest.defaults(ExplainRequest.Method.GRADCAM);
            for (int s = 0; s < 2; s++) {
                Explanation e = Explainer.run(m, run, x.get(s).expandDims(0), req).get(0);
                assertTrue(e.title().contains("class " + classes[s]), e.title());
                check(e.layerMaps(), slice(layerGold, s), "sample " + s + " gradcam");
                check(e.inputMaps(), slice(inputGold, s), "sample " + s + " gradcam at input");
            }
        }
    }

    @Test
    void classifiersTakeAnySizeAndLayerTablesAreCachedPerSize() throws Exception {
        try (ExplainableModel m = ModelLoader.load(model("resnet18s", 13), "cpu")) {
            assertArrayEquals(new long[] {1, 1}, m.sizes().multiple(), "a ResNet's merges agree at any size");
            assertArrayEquals(new long[] {1, 1, 256, 256}, m.referenceShape(), "the documented default");
            List<Layer> a = m.layers(m.shapeFor(37, 50));
            List<Layer> b = m.layers(m.shapeFor(128, 128));
            assertSame(a, m.layers(m.shapeFor(37, 50)), "cached per size");
            assertNotSame(a, b);
            Layer l4a = m.resolveLayer("layer4", m.shapeFor(37, 50));
            assertArrayEquals(new long[] {1, 32, 2, 2}, l4a.shape());
            assertArrayEquals(new long[] {1, 32, 4, 4}, m.resolveLayer("layer4", m.shapeFor(128, 128)).shape());
        }
        try (ExplainableModel m = ModelLoader.load(model("mobilenetv2s", 17), "cpu")) {
            assertArrayEquals(new long[] {1, 1}, m.sizes().multiple(),
                    "inverted residuals merge paths of equal stride");
        }
    }

    private static Npy slice(Npy all, int s) {
        long[] shape = all.shape().clone();
        int per = all.data().length / (int) shape[0];
        shape[0] = 1;
        return new Npy(shape, java.util.Arrays.copyOfRange(all.data(), s * per, (s + 1) * per));
    }

    private static void check(MapStack maps, Npy expected, String what) {
        System.out.printf("%s: relative error %.2e%n", what,
                org.cnnexplain.testutil.Compare.relativeError(maps.data(), expected.data()));
        assertClose(maps.data(), new long[] {maps.count(), maps.height(), maps.width()}, expected, TOL, what);
    }
}
