package org.cnnexplain.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ij.IJ;
import org.cnnexplain.UserError;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad requests end in one-line errors that say what would be valid; and CAM ∝ Grad-CAM where CAM applies. */
class ExplainErrorsTest {

    static ExplainableModel demo;
    static ExplainableModel vgg;
    static NDManager run;
    static NDArray x;

    @BeforeAll
    static void load() {
        demo = ModelLoader.load(TestModels.DEMO_MODEL, "cpu");
        vgg = ModelLoader.load(TestModels.parityModel("vgg11bns", 13), "cpu");
        run = demo.newRun();
        x = TensorBatch.of(ImagePlusImgs.toFloat(IJ.openImage(TestModels.firstDemoImage("mitotic").toString())), 1,
                Normalization.of("model", demo.spec())).toNDArray(run);
    }

    @AfterAll
    static void close() {
        run.close();
        demo.close();
        vgg.close();
    }

    @Test
    void unknownLayerListsTheClosestNames() {
        UserError e = assertThrows(UserError.class, () -> new GradCam().explain(demo, run, x, "blok4", Target.top1()));
        assertTrue(e.getMessage().startsWith("unknown layer 'blok4'"), e.getMessage());
        assertTrue(e.getMessage().contains("block4"), e.getMessage());
    }

    @Test
    void camOnANetWithoutGapAndLinearSaysWhatIsMissing() {
        try (NDManager r = vgg.newRun()) {
            NDArray v = r.randomNormal(new Shape(1, 1, 64, 64));
            UserError e = assertThrows(UserError.class, () -> new Cam().explain(vgg, r, v, "auto", Target.top1()));
            assertTrue(e.getMessage().contains("global average pooling") && e.getMessage().contains("Grad-CAM"),
                    e.getMessage());
        }
    }

    @Test
    void targetOutOfRangeOrUnknownListsTheClasses() {
        UserError range = assertThrows(UserError.class,
                () -> new GradCam().explain(demo, run, x, "block4", Target.parse("7", "logit")));
        assertTrue(range.getMessage().contains("interphase, mitotic, speckled, empty"), range.getMessage());
        UserError name = assertThrows(UserError.class,
                () -> new GradCam().explain(demo, run, x, "block4", Target.parse("apoptotic", "logit")));
        assertTrue(name.getMessage().startsWith("unknown target 'apoptotic'")
                && name.getMessage().contains("interphase, mitotic, speckled, empty"), name.getMessage());
    }

    @Test
    void camMethodsNeedASpatialLayer() {
        UserError e = assertThrows(UserError.class, () -> new GradCam().explain(demo, run, x, "fc", Target.top1()));
        assertTrue(e.getMessage().contains("spatial"), e.getMessage());
    }

    @Test
    void channelsOutOfRange() {
        UserError e = assertThrows(UserError.class, () -> FeatureMaps.compute(demo, run, x, "block4", new int[] {64}, "none"));
        assertEquals("channel 64 is out of range: layer '/block4/block4.2/Relu' has 64 channels, 0-63", e.getMessage());
        assertThrows(UserError.class, () -> Deconvnet.project(demo, run, x, "block2", Backprop.Rule.DECONVNET,
                new int[] {-1}, 0, Deconvnet.Signal.PEAK, Target.top1()));
    }

    @Test
    void camEqualsGradCamUpToAPositiveFactor() {
        // on GAP + linear, dy/dA_k = w_k / (h w) everywhere, so Grad-CAM = ReLU(CAM) / (h w)
        CamResult cam = new Cam().explain(demo, run, x, "auto", Target.parse("mitotic", "logit"));
        CamResult grad = new GradCam().explain(demo, run, x, "block4", Target.parse("mitotic", "logit"));
        float[] c = cam.layerMaps().plane(0);
        float[] g = grad.layerMaps().plane(0);
        double hw = c.length;
        double maxDiff = 0;
        double max = 0;
        for (int i = 0; i < c.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(Math.max(c[i], 0) / hw - g[i]));
            max = Math.max(max, g[i]);
        }
        assertTrue(max > 0, "Grad-CAM map is all zero");
        assertTrue(maxDiff / max < 1e-4, "relative difference " + maxDiff / max);
    }

    /**
     * A model that takes any size must refuse an image whose activations would not fit in
     * memory (a native out-of-memory would kill Fiji), and accept one that does.
     */
    @Test
    void anImageFarTooLargeForMemoryIsRefusedBeforeRunning() {
        UserError e = assertThrows(UserError.class, () -> demo.checkFits(new long[] {1, 1, 100_000, 100_000}));
        assertTrue(e.getMessage().startsWith("an input of 100000 x 100000 pixels would need about"), e.getMessage());
        assertTrue(e.getMessage().contains("crop or scale"), e.getMessage());
        demo.checkFits(new long[] {1, 1, 128, 128});
    }
}
