package org.cnnexplain.explain;

import static org.cnnexplain.testutil.Compare.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Smooth Grad-CAM++ and eigensmooth on the demo model, on the two images of ExplainParityTest:
 * against plain-torch goldens that used the very noise fed here (make_smooth_goldens.py), and
 * Smooth Grad-CAM++ of one noise-free copy against Grad-CAM++.
 */
class SmoothingTest {

    static ExplainableModel model;

    @BeforeAll
    static void load() {
        model = ModelLoader.load(TestModels.DEMO_MODEL, "cpu");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static Npy golden(String file) {
        return Npy.read(TestModels.golden("demo", "explain/" + file));
    }

    @Test
    void oneNoiseFreeCopyIsGradCamPlusPlus() {
        try (NDManager run = model.newRun()) {
            NDArray x = ExplainParityTest.input("demo", model, run);
            float[] plain = new GradCamPlusPlus().explain(model, run, x, "block4", Target.top1()).layerMaps().data();
            float[] smooth = new SmoothGradCamPlusPlus(1, 0, 99).explain(model, run, x, "block4", Target.top1())
                    .layerMaps().data();
            double max = 0;
            double diff = 0;
            for (int i = 0; i < plain.length; i++) {
                max = Math.max(max, Math.abs(plain[i]));
                diff = Math.max(diff, Math.abs(plain[i] - smooth[i]));
            }
            assertTrue(max > 0);
            assertTrue(diff / max <= 1e-5, "relative difference " + diff / max);
        }
    }

    @Test
    void smoothGradCamPlusPlusMatchesPyTorchWithTheSameNoise() throws Exception {
        JsonObject meta = JsonParser.parseString(Files.readString(TestModels.golden("demo", "explain/smooth.json")))
                .getAsJsonObject();
        int samples = meta.get("samples").getAsInt();
        Npy eps = golden("smoothgradcampp_noise.npy");          // (N, samples, C, H, W)
        int per = (int) (eps.data().length / (eps.shape()[0] * samples));
        Noise.Source torchNoise = (sample, copy, length) -> {
            assertEquals(per, length);
            return java.util.Arrays.copyOfRange(eps.data(), (sample * samples + copy) * per,
                    (sample * samples + copy + 1) * per);
        };
        try (NDManager run = model.newRun()) {
            NDArray x = ExplainParityTest.input("demo", model, run);
            String layer = meta.get("layer").getAsString();
            CamResult r = new SmoothGradCamPlusPlus(samples, meta.get("noise").getAsDouble(), torchNoise)
                    .explain(model, run, x, layer, Target.top1());
            assertArrayEquals(new int[] {1, 2}, r.classes());
            ExplainParityTest.check(r.layerMaps(), golden("smoothgradcampp.npy"), 1e-4, "smoothgradcampp");
            ExplainParityTest.check(r.inputMaps(), golden("smoothgradcampp_input.npy"), 1e-3, "smoothgradcampp input");
            // the noise matters at block3: the map is not Grad-CAM++'s
            float[] plain = new GradCamPlusPlus().explain(model, run, x, layer, Target.top1()).layerMaps().data();
            assertTrue(org.cnnexplain.testutil.Compare.relativeError(plain, r.layerMaps().data()) > 0.01);
        }
    }

    /** At block4, between which and the logits lie only average pooling and a linear layer, dy/dA is constant. */
    @Test
    void beforeALinearHeadTheNoiseChangesNothing() {
        try (NDManager run = model.newRun()) {
            NDArray x = ExplainParityTest.input("demo", model, run);
            float[] plain = new GradCamPlusPlus().explain(model, run, x, "block4", Target.top1()).layerMaps().data();
            float[] smooth = new SmoothGradCamPlusPlus(4, 0.3, 1).explain(model, run, x, "block4", Target.top1())
                    .layerMaps().data();
            assertTrue(org.cnnexplain.testutil.Compare.relativeError(smooth, plain) < 1e-5);
        }
    }

    @Test
    void sameSeedSameMapOtherSeedOtherMap() {
        try (NDManager run = model.newRun()) {
            NDArray x = ExplainParityTest.input("demo", model, run);
            float[] a = new SmoothGradCamPlusPlus(3, 0.15, 5).explain(model, run, x, "block3", Target.top1())
                    .layerMaps().data();
            float[] b = new SmoothGradCamPlusPlus(3, 0.15, 5).explain(model, run, x, "block3", Target.top1())
                    .layerMaps().data();
            float[] c = new SmoothGradCamPlusPlus(3, 0.15, 6).explain(model, run, x, "block3", Target.top1())
                    .layerMaps().data();
            assertArrayEquals(a, b);
            assertFalse(java.util.Arrays.equals(a, c));
        }
    }

    @Test
    void eigensmoothMatchesThePrincipalComponentOfWeightedActivations() {
        try (NDManager run = model.newRun()) {
            NDArray x = ExplainParityTest.input("demo", model, run);
            CamResult r = CamVariants.byName("gradcam", 16, new Smoothing(8, 0, 0.15, false, true, 0))
                    .explain(model, run, x, "block4", Target.top1());
            ExplainParityTest.check(r.layerMaps(), golden("gradcam_eigensmooth.npy"), 1e-4, "gradcam eigensmooth");
        }
    }

    @Test
    void dihedralTransformsInvert() {
        float[] v = new float[2 * 3 * 5];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        for (int t : Dihedral.shapeKeeping(3, 5)) {
            assertArrayEquals(v, Dihedral.invert(t, Dihedral.apply(t, v, 3, 5), 3, 5), "transform " + t);
        }
        float[] square = java.util.Arrays.copyOf(v, 2 * 16);
        for (int t = 0; t < 8; t++) {
            assertArrayEquals(square, Dihedral.invert(t, Dihedral.apply(t, square, 4, 4), 4, 4), "transform " + t);
        }
        // [[0 1] [2 3]] turned counter-clockwise is [[1 3] [0 2]]; flipped left-right [[1 0] [3 2]]
        assertArrayEquals(new float[] {1, 3, 0, 2}, Dihedral.apply(1, new float[] {0, 1, 2, 3}, 2, 2));
        assertArrayEquals(new float[] {1, 0, 3, 2}, Dihedral.apply(4, new float[] {0, 1, 2, 3}, 2, 2));
    }

    /** SmoothGrad of Grad-CAM at block3 is the mean of Grad-CAM of each noisy copy, explained for the image's class. */
    @Test
    void smoothGradIsTheMeanOfTheNoisyRuns() {
        Smoothing s = new Smoothing(8, 3, 0.15, false, false, 7);
        try (NDManager run = model.newRun()) {
            NDArray x = ExplainParityTest.input("demo", model, run).get(0).expandDims(0);
            CamResult smooth = SmoothGrad.cam(new GradCam(), s, model, run, x, "block3", Target.top1());
            float[] pixels = x.toFloatArray();
            float[] mean = new float[smooth.layerMaps().data().length];
            for (int k = 0; k < 3; k++) {
                NDArray copy = org.cnnexplain.graph.Tensors.of(run,
                        Noise.copies(pixels, 0, k, 1, 0.15, Noise.gaussian(7)), x.getShape());
                float[] m = new GradCam().explain(model, run, copy, "block3", Target.top1().withClass(1))
                        .layerMaps().data();
                for (int i = 0; i < m.length; i++) {
                    mean[i] += m[i] / 3;
                }
            }
            assertEquals(1, smooth.classes()[0]);
            assertTrue(org.cnnexplain.testutil.Compare.relativeError(smooth.layerMaps().data(), mean) < 1e-5);
            float[] plain = new GradCam().explain(model, run, x, "block3", Target.top1()).layerMaps().data();
            assertTrue(org.cnnexplain.testutil.Compare.relativeError(plain, mean) > 0.01);
        }
    }

    /** Averaged over all flips and turns, a map turns with the image: aug(t(x)) = t(aug(x)). */
    @Test
    void augmentedMapsTurnWithTheImage() {
        Smoothing s = new Smoothing(8, 0, 0, true, false, 0);
        try (NDManager run = model.newRun()) {
            NDArray x = ExplainParityTest.input("demo", model, run).get(0).expandDims(0);
            NDArray turned = org.cnnexplain.graph.Tensors.of(run, Dihedral.apply(5, x.toFloatArray(), 128, 128),
                    x.getShape());
            float[] a = SmoothGrad.cam(new GradCam(), s, model, run, x, "block4", Target.top1()).inputMaps().data();
            float[] b = SmoothGrad.cam(new GradCam(), s, model, run, turned, "block4", Target.top1()).inputMaps().data();
            assertTrue(org.cnnexplain.testutil.Compare.relativeError(Dihedral.apply(5, a, 128, 128), b) < 1e-4);
            float[] plain = new GradCam().explain(model, run, x, "block4", Target.top1()).inputMaps().data();
            assertTrue(org.cnnexplain.testutil.Compare.relativeError(plain, a) > 0.01);
        }
    }

    /** SmoothGrad of the guided-backprop class signal: the mean of the individual projections, in one batch. */
    @Test
    void smoothGuidedBackpropIsTheMeanOfTheNoisyRuns() {
        Smoothing s = new Smoothing(8, 3, 0.2, false, false, 3);
        try (NDManager run = model.newRun()) {
            NDArray x = ExplainParityTest.input("demo", model, run).get(0).expandDims(0);
            MapStack smooth = SmoothGrad.backprop(model, run, x, null, Backprop.Rule.GUIDED, null, 1,
                    Deconvnet.Signal.CLASS, Target.top1(), s);
            float[] mean = new float[smooth.data().length];
            for (int k = 0; k < 3; k++) {
                NDArray copy = org.cnnexplain.graph.Tensors.of(run,
                        Noise.copies(x.toFloatArray(), 0, k, 1, 0.2, Noise.gaussian(3)), x.getShape());
                float[] m = Deconvnet.project(model, run, copy, null, Backprop.Rule.GUIDED, null, 1,
                        Deconvnet.Signal.CLASS, Target.top1().withClass(1)).data();
                for (int i = 0; i < m.length; i++) {
                    mean[i] += m[i] / 3;
                }
            }
            assertTrue(org.cnnexplain.testutil.Compare.relativeError(smooth.data(), mean) < 1e-5);
        }
    }
}
