package org.cnnexplain.explain;

import static org.cnnexplain.testutil.Compare.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ij.IJ;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every method against goldens from plain torch autograd on the eager models
 * (make_explain_goldens.py): 1e-4 relative at layer resolution, 1e-3 at input
 * resolution.
 */
class ExplainParityTest {

    static final double LAYER_TOL = 1e-4;
    static final double INPUT_TOL = 1e-3;

    static Stream<Arguments> models() {
        return Stream.of(Arguments.of("demo", TestModels.DEMO_MODEL),
                Arguments.of("resnet18s", TestModels.parityModel("resnet18s", 13)),
                Arguments.of("mobilenetv2s", TestModels.parityModel("mobilenetv2s", 17)));
    }

    static Path golden(String model, String file) {
        return TestModels.golden(model, "explain/" + file);
    }

    static NDArray input(String name, ExplainableModel model, NDManager run) {
        if (name.equals("demo")) {
            Normalization norm = Normalization.of("model", model.spec());
            float[][] planes = new float[2][];
            String[] classes = {"mitotic", "speckled"};   // as make_explain_goldens.py picks them
            for (int i = 0; i < 2; i++) {
                TensorBatch b = TensorBatch.of(ImagePlusImgs.toFloat(
                        IJ.openImage(TestModels.firstDemoImage(classes[i]).toString())), 1, norm);
                planes[i] = b.toNDArray(run).toFloatArray();
            }
            float[] both = new float[planes[0].length * 2];
            System.arraycopy(planes[0], 0, both, 0, planes[0].length);
            System.arraycopy(planes[1], 0, both, planes[0].length, planes[1].length);
            return run.create(both, new Shape(2, 1, 128, 128));
        }
        Npy x = Npy.read(TestModels.golden(name, "input.npy"));
        return run.create(x.data(), new Shape(x.shape()));
    }

    static void check(MapStack maps, Npy expected, double tol, String what) {
        long[] shape = expected.shape().length == 3
                ? new long[] {maps.count(), maps.height(), maps.width()} : null;
        assertClose(maps.data(), shape, expected, tol, what);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void everyMethodMatchesPyTorch(String name, Path file) throws Exception {
        JsonObject meta = JsonParser.parseString(Files.readString(golden(name, "meta.json"))).getAsJsonObject();
        String layer = meta.get("layer").getAsString();
        int[] classes = meta.getAsJsonArray("classes").asList().stream().mapToInt(e -> e.getAsInt()).toArray();
        int[] peaks = meta.getAsJsonArray("peak_channels").asList().stream().mapToInt(e -> e.getAsInt()).toArray();
        try (ExplainableModel model = ModelLoader.load(file, "cpu"); NDManager run = model.newRun()) {
            NDArray x = input(name, model, run);
            Target top1 = Target.top1();

            Npy acts = Npy.read(golden(name, "activations.npy"));
            FeatureMaps.Result fm = FeatureMaps.compute(model, run, x, layer, null, "none");
            int per = (int) (acts.data().length / acts.shape()[0]);
            Npy first = new Npy(new long[] {acts.shape()[1], acts.shape()[2], acts.shape()[3]},
                    java.util.Arrays.copyOf(acts.data(), per));
            check(fm.maps(), first, LAYER_TOL, name + " feature maps");

            List<CamMethod> methods = List.of(new GradCam(), new GradCamPlusPlus(), new XGradCam(), new LayerCam(),
                    new HiResCam(), new EigenCam(), new ScoreCam(16), new Cam());
            CamResult gradcam = null;
            for (CamMethod m : methods) {
                CamResult r = m.explain(model, run, x, m instanceof Cam ? "auto" : layer, top1);
                assertArrayEquals(classes, r.classes(), name + " " + m.name() + " classes");
                check(r.layerMaps(), Npy.read(golden(name, m.name() + ".npy")), LAYER_TOL, name + " " + m.name());
                check(r.inputMaps(), Npy.read(golden(name, m.name() + "_input.npy")), INPUT_TOL,
                        name + " " + m.name() + " at input resolution");
                if (m instanceof GradCam && gradcam == null) {
                    gradcam = r;
                }
            }

            for (Backprop.Rule rule : Backprop.Rule.values()) {
                MapStack peak = Deconvnet.project(model, run, x, layer, rule, peaks, 0, Deconvnet.Signal.PEAK, top1);
                check(peak, Npy.read(golden(name, rule.fileName() + "_peak.npy")), LAYER_TOL, name + " " + rule + " peak");
                MapStack cls = Deconvnet.project(model, run, x, layer, rule, null, 1, Deconvnet.Signal.CLASS, top1);
                check(cls, Npy.read(golden(name, rule.fileName() + "_class.npy")), LAYER_TOL, name + " " + rule + " class");
            }
            MapStack ggc = GuidedGradCam.of(model, run, x, gradcam, top1);
            check(ggc, Npy.read(golden(name, "guidedgradcam.npy")), INPUT_TOL, name + " guided grad-cam");
        }
    }

    /**
     * Grad-CAM and the three backprop rules (peak signals) on the densenet121- and
     * efficientnet_b0-shaped models at opset 13 (concat, unfused BatchNorm, SiLU, squeeze-and-excitation).
     */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"densenets", "efficientnets"})
    void gradCamAndBackpropOnTheFamilies(String name) throws Exception {
        JsonObject meta = JsonParser.parseString(Files.readString(golden(name, "meta.json"))).getAsJsonObject();
        String layer = meta.get("layer").getAsString();
        int[] classes = meta.getAsJsonArray("classes").asList().stream().mapToInt(e -> e.getAsInt()).toArray();
        int[] peaks = meta.getAsJsonArray("peak_channels").asList().stream().mapToInt(e -> e.getAsInt()).toArray();
        try (ExplainableModel model = ModelLoader.load(TestModels.parityModel(name, 13), "cpu");
             NDManager run = model.newRun()) {
            NDArray x = input(name, model, run);
            CamResult r = new GradCam().explain(model, run, x, layer, Target.top1());
            assertArrayEquals(classes, r.classes(), name + " classes");
            check(r.layerMaps(), Npy.read(golden(name, "gradcam.npy")), LAYER_TOL, name + " gradcam");
            check(r.inputMaps(), Npy.read(golden(name, "gradcam_input.npy")), INPUT_TOL, name + " gradcam input");
            for (Backprop.Rule rule : Backprop.Rule.values()) {
                MapStack peak = Deconvnet.project(model, run, x, layer, rule, peaks, 0, Deconvnet.Signal.PEAK,
                        Target.top1());
                assertEquals(3, peak.channels(), "a 3-channel input keeps its channels");
                check(summedOverChannels(peak), Npy.read(golden(name, rule.fileName() + "_peak.npy")), LAYER_TOL,
                        name + " " + rule + " (summed over input channels)");
            }
        }
    }

    /** The channel sum, which the families' goldens (make_explain_goldens.py) hold. */
    static MapStack summedOverChannels(MapStack m) {
        int size = m.depth() * m.height() * m.width();
        int n = m.count() / m.channels();
        float[] sum = new float[n * size];
        for (int k = 0; k < m.count(); k++) {
            for (int i = 0; i < size; i++) {
                sum[k / m.channels() * size + i] += m.data()[k * size + i];
            }
        }
        return new MapStack(sum, n, m.depth(), m.height(), m.width(), java.util.Collections.nCopies(n, ""));
    }

    /**
     * Deconvnet, guided backprop, the gradient and Guided Grad-CAM of the reduced resnet18 with a
     * 3-channel input keep one map per input channel, equal to PyTorch's per-channel input gradients
     * under the same ReLU rules (make_channel_goldens.py) to 1e-4; the combination for pictures is
     * the maximum of |.| over channels.
     */
    @org.junit.jupiter.api.Test
    void perChannelAttributionsMatchPyTorch() throws Exception {
        String name = "resnet18s3";
        JsonObject meta = JsonParser.parseString(Files.readString(golden(name, "meta.json"))).getAsJsonObject();
        int[] peaks = meta.getAsJsonArray("peak_channels").asList().stream().mapToInt(e -> e.getAsInt()).toArray();
        try (ExplainableModel model = ModelLoader.load(TestModels.parityModel(name, 13), "cpu");
             NDManager run = model.newRun()) {
            Npy in = Npy.read(TestModels.golden(name, "input.npy"));
            NDArray x = org.cnnexplain.graph.Tensors.of(run, java.util.Arrays.copyOf(in.data(), 3 * 64 * 64),
                    new Shape(1, 3, 64, 64));
            for (Backprop.Rule rule : Backprop.Rule.values()) {
                MapStack peak = Deconvnet.project(model, run, x, "layer4", rule, peaks, 0, Deconvnet.Signal.PEAK,
                        Target.top1());
                assertEquals(3, peak.channels());
                assertEquals("channel 2 neuron", peak.labels().get(1).substring(0, 16));
                assertTrue(peak.labels().get(1).endsWith("[input channel 2]"), peak.labels().get(1));
                assertClose(peak.data(), new long[] {3, 3, 64, 64}, Npy.read(golden(name, rule.fileName() + "_peak.npy")),
                        LAYER_TOL, name + " " + rule + " peak per channel");
                MapStack cls = Deconvnet.project(model, run, x, null, rule, null, 1, Deconvnet.Signal.CLASS,
                        Target.top1());
                assertClose(cls.data(), new long[] {1, 3, 64, 64}, Npy.read(golden(name, rule.fileName() + "_class.npy")),
                        LAYER_TOL, name + " " + rule + " class per channel");
                System.out.printf("resnet18s3 %s per channel: peak %.2e, class %.2e (max |diff| / max |golden|)%n", rule,
                        org.cnnexplain.testutil.Compare.relativeError(peak.data(),
                                Npy.read(golden(name, rule.fileName() + "_peak.npy")).data()),
                        org.cnnexplain.testutil.Compare.relativeError(cls.data(),
                                Npy.read(golden(name, rule.fileName() + "_class.npy")).data()));
                MapStack combined = peak.combined();
                assertEquals(3, combined.count());
                for (int i = 0; i < 64 * 64; i++) {
                    float expected = Math.max(Math.abs(peak.data()[i]), Math.max(Math.abs(peak.data()[4096 + i]),
                            Math.abs(peak.data()[8192 + i])));
                    assertEquals(expected, combined.data()[i], 0f);
                }
            }
            CamResult cam = new GradCam().explain(model, run, x, "layer4", Target.top1());
            assertArrayEquals(meta.getAsJsonArray("classes").asList().stream().mapToInt(e -> e.getAsInt()).toArray(),
                    cam.classes());
            MapStack ggc = GuidedGradCam.of(model, run, x, cam, Target.top1());
            assertClose(ggc.data(), new long[] {1, 3, 64, 64}, Npy.read(golden(name, "guidedgradcam.npy")), INPUT_TOL,
                    name + " guided grad-cam per channel");
        }
    }

    /**
     * The 3-D CNN (maps are volumes, upsampled trilinearly) and the U-Net with
     * Seg-Grad-CAM targets: the sum of the class's output over an ROI, and over the
     * pixels predicted as the class (make_volume_seg_models.py). Grad-CAM at layer and
     * input resolution and the three rules' class projections; peak projections too.
     */
    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.CsvSource({"net3d,", "unet,roi", "unet,region"})
    void volumesAndSegmentationTargets(String name, String kind) throws Exception {
        JsonObject meta = JsonParser.parseString(Files.readString(golden(name, "meta.json"))).getAsJsonObject();
        String layer = meta.get("layer").getAsString();
        String prefix = "region".equals(kind) ? "region_" : "";
        JsonObject about = prefix.isEmpty() ? meta : meta.getAsJsonObject("region");
        int[] classes = about.getAsJsonArray("classes").asList().stream().mapToInt(e -> e.getAsInt()).toArray();
        int[] peaks = meta.getAsJsonArray("peak_channels").asList().stream().mapToInt(e -> e.getAsInt()).toArray();
        Target target = Target.top1();
        if ("roi".equals(kind)) {
            JsonObject box = meta.getAsJsonObject("roi");
            target = target.within(Region.box(32, 32, box.get("x").getAsInt(), box.get("y").getAsInt(),
                    box.get("width").getAsInt(), box.get("height").getAsInt()));
        }
        try (ExplainableModel model = ModelLoader.load(TestModels.parityModel(name, 13), "cpu");
             NDManager run = model.newRun()) {
            NDArray x = input(name, model, run);
            String auto = LayerChoice.resolve(model, "auto").name();
            if (name.equals("unet")) {   // a per-pixel model: auto is the first decoder stage, the goldens use the bottleneck
                assertTrue(auto.startsWith("/dec2/"), auto);
            } else {
                assertEquals(LayerChoice.resolve(model, layer).name(), auto, "auto picks the layer the goldens use");
            }
            CamResult r = new GradCam().explain(model, run, x, layer, target);
            assertArrayEquals(classes, r.classes(), name + " classes");
            checkMaps(r.layerMaps(), Npy.read(golden(name, prefix + "gradcam.npy")), LAYER_TOL, name + " gradcam");
            checkMaps(r.inputMaps(), Npy.read(golden(name, prefix + "gradcam_input.npy")), INPUT_TOL,
                    name + " gradcam input");
            for (Backprop.Rule rule : Backprop.Rule.values()) {
                MapStack cls = Deconvnet.project(model, run, x, layer, rule, null, 1, Deconvnet.Signal.CLASS, target);
                checkMaps(cls, Npy.read(golden(name, prefix + rule.fileName() + "_class.npy")), LAYER_TOL,
                        name + " " + rule + " class");
                if (prefix.isEmpty()) {
                    MapStack peak = Deconvnet.project(model, run, x, layer, rule, peaks, 0, Deconvnet.Signal.PEAK,
                            target);
                    checkMaps(peak, Npy.read(golden(name, rule.fileName() + "_peak.npy")), LAYER_TOL,
                            name + " " + rule + " peak");
                }
            }
        }
    }

    /** Like {@link #check}, for stacks of planes or volumes: (maps, [d,] h, w). */
    static void checkMaps(MapStack maps, Npy expected, double tol, String what) {
        long[] shape = maps.depth() > 1
                ? new long[] {maps.count(), maps.depth(), maps.height(), maps.width()}
                : new long[] {maps.count(), maps.height(), maps.width()};
        assertClose(maps.data(), shape, expected, tol, what);
    }

    /**
     * Every method on the 3-D CNN returns volumes: one per sample (CAM family) or per channel
     * (Feature Maps, Deconvnet), at the layer's and the stack's size; and CAM relates to Grad-CAM
     * as in 2-D: ReLU(CAM) / (d·h·w) = Grad-CAM (the head is 3-D global average pooling + one linear layer).
     */
    @org.junit.jupiter.api.Test
    void everyMethodGivesVolumesOnThe3dModel() throws Exception {
        try (ExplainableModel model = ModelLoader.load(TestModels.parityModel("net3d", 17), "cpu");
             NDManager run = model.newRun()) {
            NDArray x = input("net3d", model, run);
            for (CamMethod m : List.of(new GradCam(), new GradCamPlusPlus(), new XGradCam(), new LayerCam(),
                    new HiResCam(), new EigenCam(), new ScoreCam(16), new Cam())) {
                CamResult r = m.explain(model, run, x, "auto", Target.top1());
                assertArrayEquals(new int[] {2, 4, 8, 8}, new int[] {r.layerMaps().count(), r.layerMaps().depth(),
                        r.layerMaps().height(), r.layerMaps().width()}, m.name() + " layer maps");
                assertArrayEquals(new int[] {2, 8, 32, 32}, new int[] {r.inputMaps().count(), r.inputMaps().depth(),
                        r.inputMaps().height(), r.inputMaps().width()}, m.name() + " input maps");
            }
            float[] cam = new Cam().explain(model, run, x, "auto", Target.top1()).layerMaps().data();
            float[] gradcam = new GradCam().explain(model, run, x, "block3", Target.top1()).layerMaps().data();
            float[] scaled = new float[cam.length];
            for (int i = 0; i < cam.length; i++) {
                scaled[i] = Math.max(cam[i], 0f) / (4 * 8 * 8);
            }
            assertClose(scaled, new long[] {2, 4, 8, 8}, new Npy(new long[] {2, 4, 8, 8}, gradcam), 1e-5,
                    "ReLU(CAM)/(d*h*w) vs Grad-CAM in 3-D");
            FeatureMaps.Result fm = FeatureMaps.compute(model, run, x, "block2", new int[] {0, 5}, "none");
            assertEquals(2, fm.inputMaps().count());
            assertEquals(8, fm.inputMaps().depth());
            MapStack dc = Deconvnet.project(model, run, x, "block3", Backprop.Rule.DECONVNET, null, 3,
                    Deconvnet.Signal.PEAK, Target.top1());
            assertEquals(3 * 8, dc.planes());
            assertTrue(dc.labels().get(0).contains(" z="), dc.labels().get(0));
            MapStack ggc = GuidedGradCam.of(model, run, x, new GradCam().explain(model, run, x, "auto",
                    Target.top1()), Target.top1());
            assertEquals(8, ggc.depth());
        }
    }
}
