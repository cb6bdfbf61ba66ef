package org.cnnexplain.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDManager;
import ij.IJ;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.testutil.TestModels;

/**
 * Four threads explaining different images with one loaded model give exactly the sequential results:
 * the ONNX demo, and the same model as TorchScript.
 */
class ConcurrencyTest {

    /** Under the strict memory mode (MemoryCheck), so a freed buffer read by another thread shows. */
    @org.junit.jupiter.api.BeforeAll
    static void strictMemoryMode() {
        org.cnnexplain.graph.MemoryCheck.setGcEvery(1);
    }

    @org.junit.jupiter.api.AfterAll
    static void normalMemoryMode() {
        org.cnnexplain.graph.MemoryCheck.setEnabled(false);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"demo.onnx", "demo.pt"})
    void fourThreadsGiveTheSequentialResults(String file) throws Exception {
        try (ExplainableModel model = ModelLoader.load(TestModels.DEMO_MODEL.resolveSibling(file), "cpu")) {
            Normalization norm = Normalization.of("model", model.spec());
            List<TensorBatch> images = new ArrayList<>();
            for (String c : List.of("interphase", "mitotic", "speckled", "empty")) {
                images.add(TensorBatch.of(ImagePlusImgs.toFloat(IJ.openImage(TestModels.firstDemoImage(c).toString())),
                        1, norm));
            }
            List<float[]> sequential = new ArrayList<>();
            for (TensorBatch b : images) {
                sequential.add(explain(model, b));
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                for (int round = 0; round < 5; round++) {
                    List<Future<float[]>> futures = new ArrayList<>();
                    for (TensorBatch b : images) {
                        futures.add(pool.submit(() -> explain(model, b)));
                    }
                    for (int i = 0; i < images.size(); i++) {
                        assertArrayEquals(sequential.get(i), futures.get(i).get(60, TimeUnit.SECONDS),
                                "image " + i + ", round " + round);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** Grad-CAM, guided backprop (the input gradient for TorchScript) and Feature Maps of one image, concatenated. */
    static float[] explain(ExplainableModel model, TensorBatch b) {
        boolean graph = model.graph() != null;
        try (NDManager run = model.newRun()) {
            var x = b.toNDArray(run);
            float[] cam = new GradCam().explain(model, run, x, graph ? "block4" : "features", Target.top1())
                    .inputMaps().data();
            float[] guided = graph ? Deconvnet.project(model, run, x, "block3", Backprop.Rule.GUIDED, null, 2,
                    Deconvnet.Signal.PEAK, Target.top1()).data()
                    : Deconvnet.project(model, run, x, null, Backprop.Rule.GRADIENT, null, 1, Deconvnet.Signal.CLASS,
                    Target.top1()).data();
            float[] fm = FeatureMaps.compute(model, run, x, graph ? "block2" : "features", new int[] {0, 1}, "none")
                    .maps().data();
            float[] all = new float[cam.length + guided.length + fm.length];
            System.arraycopy(cam, 0, all, 0, cam.length);
            System.arraycopy(guided, 0, all, cam.length, guided.length);
            System.arraycopy(fm, 0, all, cam.length + guided.length, fm.length);
            return all;
        }
    }
}
