package org.cnnexplain.tile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ij.IJ;
import java.util.List;
import org.cnnexplain.explain.Deconvnet;
import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.explain.Explainer;
import org.cnnexplain.explain.Explanation;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.model.Prediction;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tiling changes nothing where it should change nothing: an image of exactly one tile gives the
 * plain run's maps and probabilities (the window's weight divides out), for a batched method
 * (Grad-CAM) and a sample-by-sample one (guided backprop of the class); and the grid's geometry
 * (reflection, Hann weights summing to one at half-tile stride) is what its javadoc says.
 */
class TilingExactTest {

    static ExplainableModel demo;

    @BeforeAll
    static void load() {
        demo = ModelLoader.load(TestModels.DEMO_MODEL, "cpu");
    }

    @AfterAll
    static void close() {
        demo.close();
    }

    @Test
    void aSingleTileImageGivesThePlainRun() {
        var imp = IJ.openImage(TestModels.firstDemoImage("mitotic").toString());
        Normalization norm = Normalization.of("model", demo.spec());
        TensorBatch plain = TensorBatch.of(ImagePlusImgs.toFloat(imp), 1, norm);
        TiledRun.Field field = new TiledRun.Field((float[]) imp.getProcessor().convertToFloatProcessor().getPixels(),
                1, 128, 128, norm);
        TileGrid grid = TiledRun.grid(demo, 128, 128, 0);
        assertEquals(1, grid.tiles());
        ExplainRequest gradcam = ExplainRequest.defaults(ExplainRequest.Method.GRADCAM);
        ExplainRequest guided = ExplainRequest.defaults(ExplainRequest.Method.DECONVNET)
                .withSignal(Deconvnet.Signal.CLASS);
        guided = new ExplainRequest(guided.method(), "auto", "top1", "logit", "gradcam", false,
                org.cnnexplain.explain.Backprop.Rule.GUIDED, null, 1, Deconvnet.Signal.CLASS, "none", guided.batch());
        for (ExplainRequest r : List.of(gradcam, guided)) {
            TiledRun.Result tiled = TiledRun.explain(demo, field, grid, r, TiledRun.Listener.NONE);
            List<Explanation> expected;
            try (NDManager run = demo.newRun()) {
                expected = Explainer.run(demo, run, plain.toNDArray(run, 0, 1), r);
            }
            float[] want = expected.get(0).inputMaps().data();
            float[] got = tiled.maps().get(0).inputMaps().data();
            float scale = 0;
            for (float v : want) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertTrue(scale > 0);
            assertArrayEquals(want, got, 1e-5f * scale, r.method() + " " + r.rule());
        }
        Prediction p = Prediction.of(demo, plain).get(0);
        TiledRun.Result tiled = TiledRun.explain(demo, field, grid, gradcam, TiledRun.Listener.NONE);
        assertEquals(p.top1(), tiled.target());
        for (int k = 0; k < 4; k++) {
            float[] plane = tiled.classMap().plane(k);
            assertEquals(p.probabilities()[k], plane[0], 1e-5);
            assertEquals(p.probabilities()[k], plane[plane.length - 1], 1e-5);
        }
    }

    @Test
    void aUNetRunInTilesWithItsHaloGivesTheWholeImagesOutput() {
        try (ExplainableModel unet = ModelLoader.load(java.nio.file.Path.of("src/test/resources/models/unet_dyn_op13.onnx"),
                "cpu")) {
            int w = 232;
            int h = 168;   // multiples of the U-Net's stride: the whole image runs without padding
            java.util.Random random = new java.util.Random(3);
            float[] px = new float[w * h];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) random.nextGaussian();
            }
            Halo halo = Halo.of(unet, unet.shapeFor(128, 128));
            TiledRun.Outputs tiled = TiledRun.segment(unet, new TiledRun.Field(px, 1, w, h, null), 128,
                    TiledRun.Listener.NONE);
            float[] whole;
            try (NDManager run = unet.newRun()) {
                ai.djl.ndarray.NDArray logits = unet.logits(run, org.cnnexplain.graph.Tensors.of(run, px,
                        new ai.djl.ndarray.types.Shape(1, 1, h, w)));
                whole = Prediction.probabilities(logits, unet.activation(logits)).toFloatArray();
            }
            float worst = 0;
            for (int i = 0; i < whole.length; i++) {
                worst = Math.max(worst, Math.abs(whole[i] - tiled.data()[i]));
            }
            System.out.printf(java.util.Locale.ROOT, "U-Net %d x %d in tiles (%s): max |tiled - whole| = %.2e%n", w, h,
                    tiled.how(), worst);
            assertTrue(halo.halo() > 0 && halo.stride() > 1, halo.toString());
            assertTrue(worst <= 1e-4, "max difference " + worst);
            assertTrue(tiled.how().contains("halo " + halo.halo()), tiled.how());
        }
    }

    @Test
    void theGridMirrorsAtTheBordersAndItsWeightsSumToOneInside() {
        assertEquals(List.of(2, 1, 0, 1, 2, 3, 2, 1), java.util.stream.IntStream.range(-2, 6)
                .map(i -> TileGrid.reflect(i, 4)).boxed().toList());
        TileGrid g = TileGrid.of(300, 128, 128, 128, 64, 64);
        assertEquals(4, g.nx());
        assertEquals(1, g.ny());
        assertEquals(-10, g.originX(0));
        assertEquals(182, g.originX(3));   // 182 + 128 = 310 = 300 + 10: the overhang split between both borders
        double[] sum = TileGrid.of(1024, 1024, 128, 128, 64, 64).weightSumX();
        for (int x = 64; x < 960; x++) {
            assertEquals(1.0, sum[x], 1e-12, "x=" + x);
        }
        float[] image = new float[5 * 3];
        for (int i = 0; i < image.length; i++) {
            image[i] = i;
        }
        TileGrid small = TileGrid.of(5, 3, 8, 4, 4, 2);   // one tile larger than the image, mirrored out
        float[] tile = new float[32];
        small.cut(image, 1, 0, tile, 0);
        // numpy: np.pad(np.arange(15).reshape(3, 5), ((0, 1), (1, 2)), mode="reflect")[0]
        assertArrayEquals(new float[] {1, 0, 1, 2, 3, 4, 3, 2}, java.util.Arrays.copyOfRange(tile, 0, 8));
        assertArrayEquals(new float[] {6, 5, 6, 7, 8, 9, 8, 7}, java.util.Arrays.copyOfRange(tile, 8, 16));
    }
}
