package org.cnnexplain.explain;

import static org.cnnexplain.explain.ExplainParityTest.INPUT_TOL;
import static org.cnnexplain.explain.ExplainParityTest.LAYER_TOL;
import static org.cnnexplain.explain.ExplainParityTest.check;
import static org.cnnexplain.explain.ExplainParityTest.golden;
import static org.cnnexplain.testutil.Compare.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ij.IJ;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnexplain.UserError;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.model.Prediction;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo model as TorchScript (demo.pt, scripted with features()/head()) through
 * DJL: predictions, the input gradient, and Feature Maps, CAM and the Grad-CAM
 * family at the features cut, against the same PyTorch goldens as the ONNX model
 * (the cut is block4, the layer of those goldens). Guided backprop and deconvnet
 * are refused with a reason.
 */
class TorchScriptTest {

    static final Path PT = TestModels.DEMO_MODEL.resolveSibling("demo.pt");
    static ExplainableModel model;

    @BeforeAll
    static void load() {
        model = ModelLoader.load(PT, "cpu");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void logitsMatchPyTorchOnEveryDemoImage() throws Exception {
        Npy golden = Npy.read(TestModels.golden("demo", "logits.npy"));
        List<String> lines = Files.readAllLines(TestModels.DEMO_IMAGES.resolve("labels.csv"));
        int k = 4;
        float[] logits = new float[(lines.size() - 1) * k];
        for (int i = 1; i < lines.size(); i++) {
            TensorBatch b = TensorBatch.of(ImagePlusImgs.toFloat(IJ.openImage(
                    TestModels.DEMO_IMAGES.resolve(lines.get(i).split(",")[0]).toString())), 1,
                    Normalization.of("model", model.spec()));
            System.arraycopy(Prediction.of(model, b).get(0).scores(), 0, logits, (i - 1) * k, k);
        }
        assertClose(logits, new long[] {lines.size() - 1, k}, golden, 1e-4, "demo.pt logits vs PyTorch");
        assertEquals(List.of("features", "head"), model.layers().stream().map(l -> l.name()).toList());
    }

    @Test
    void camFamilyFeatureMapsAndGradientAtTheCutMatchPyTorch() throws Exception {
        try (NDManager run = model.newRun()) {
            NDArray x = ExplainParityTest.input("demo", model, run);
            float[] before = model.forward(run, x, List.of()).logits().toFloatArray();
            Npy acts = Npy.read(golden("demo", "activations.npy"));
            FeatureMaps.Result fm = FeatureMaps.compute(model, run, x, "auto", null, "none");
            int per = (int) (acts.data().length / acts.shape()[0]);
            check(fm.maps(), new Npy(new long[] {acts.shape()[1], acts.shape()[2], acts.shape()[3]},
                    java.util.Arrays.copyOf(acts.data(), per)), LAYER_TOL, "feature maps");
            int[] classes = {1, 2};   // the mitotic and the speckled image
            for (CamMethod m : List.of(new GradCam(), new GradCamPlusPlus(), new XGradCam(), new LayerCam(),
                    new HiResCam(), new EigenCam(), new ScoreCam(16), new Cam())) {
                CamResult r = m.explain(model, run, x, "features", Target.top1());
                assertArrayEquals(classes, r.classes(), m.name());
                check(r.layerMaps(), Npy.read(golden("demo", m.name() + ".npy")), LAYER_TOL, "demo.pt " + m.name());
                check(r.inputMaps(), Npy.read(golden("demo", m.name() + "_input.npy")), INPUT_TOL,
                        "demo.pt " + m.name() + " at input resolution");
            }
            MapStack g = Deconvnet.project(model, run, x, null, Backprop.Rule.GRADIENT, null, 1,
                    Deconvnet.Signal.CLASS, Target.top1());
            check(g, Npy.read(golden("demo", "gradient_class.npy")), LAYER_TOL, "demo.pt input gradient");
            float[] after = model.forward(run, x, List.of()).logits().toFloatArray();
            assertArrayEquals(before, after, "explaining must not change the module (BatchNorm stays in eval mode)");
        }
    }

    @Test
    void guidedAndDeconvnetAreRefusedWithTheReason() {
        try (NDManager run = model.newRun()) {
            NDArray x = ExplainParityTest.input("demo", model, run);
            UserError e = assertThrows(UserError.class, () -> Deconvnet.project(model, run, x, null,
                    Backprop.Rule.GUIDED, null, 1, Deconvnet.Signal.CLASS, Target.top1()));
            assertTrue(e.getMessage().startsWith("guided backprop is not available: 'demo.pt' is TorchScript"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("export_model.py"), e.getMessage());
            assertThrows(UserError.class, () -> Deconvnet.project(model, run, x, "features",
                    Backprop.Rule.DECONVNET, null, 3, Deconvnet.Signal.PEAK, Target.top1()));
        }
    }

    @Test
    void aModuleWithoutFeaturesAndHeadPredictsButHasNoLayers(@TempDir Path tmp) throws Exception {
        // the same weights, traced without the cut (make_torchscript_models.py)
        Path plain = TestModels.golden("demo", "demo_forward_only.pt");
        Path copy = tmp.resolve("plain.pt");
        Files.copy(plain, copy);
        Files.copy(TestModels.DEMO_MODEL.resolveSibling("demo.json"), tmp.resolve("plain.json"));
        try (ExplainableModel m = ModelLoader.load(copy, "cpu"); NDManager run = m.newRun()) {
            NDArray x = ExplainParityTest.input("demo", m, run);
            assertEquals(2, Prediction.argMax(java.util.Arrays.copyOfRange(
                    m.forward(run, x, List.of()).logits().toFloatArray(), 4, 8)));
            UserError e = assertThrows(UserError.class, () -> new GradCam().explain(m, run, x, "auto", Target.top1()));
            assertTrue(e.getMessage().contains("no features(x)/head(f) methods"), e.getMessage());
        }
        Path junk = tmp.resolve("junk.pt");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5});
        UserError bad = assertThrows(UserError.class, () -> ModelLoader.load(junk, "cpu"));
        assertTrue(bad.getMessage().startsWith("cannot read TorchScript model 'junk.pt'"), bad.getMessage());
        assertEquals(-1, bad.getMessage().indexOf('\n'));
    }

    /**
     * What src/main/python/export_model.py wrote for the reduced resnet18 cut at layer4
     * (make_torchscript_models.py): both files reproduce PyTorch's logits, and the
     * TorchScript cut gives the layer4 goldens of the ONNX model.
     */
    @Test
    void theExportHelpersFilesMatchTheGoldens() throws Exception {
        Path dir = TestModels.parityModel("resnet18s", 13).getParent();
        Npy logits = Npy.read(TestModels.golden("resnet18s", "logits.npy"));
        for (String file : List.of("resnet18s_cut.onnx", "resnet18s_cut.pt")) {
            try (ExplainableModel m = ModelLoader.load(dir.resolve(file), "cpu"); NDManager run = m.newRun()) {
                NDArray x = ExplainParityTest.input("resnet18s", m, run);
                NDArray y = m.forward(run, x, List.of()).logits();
                assertClose(y.toFloatArray(), y.getShape().getShape(), logits, 1e-4, file + " logits");
                assertEquals(List.of("a", "b", "c", "d", "e"), m.classNames(), "class names from the helper's spec");
                if (file.endsWith(".pt")) {
                    for (CamMethod method : List.of(new GradCam(), new LayerCam(), new Cam())) {
                        CamResult r = method.explain(m, run, x, "auto", Target.top1());
                        check(r.layerMaps(), Npy.read(golden("resnet18s", method.name() + ".npy")), LAYER_TOL,
                                file + " " + method.name());
                    }
                    MapStack g = Deconvnet.project(m, run, x, null, Backprop.Rule.GRADIENT, null, 1,
                            Deconvnet.Signal.CLASS, Target.top1());
                    check(g, Npy.read(golden("resnet18s", "gradient_class.npy")), LAYER_TOL, file + " gradient");
                }
            }
        }
    }
}
