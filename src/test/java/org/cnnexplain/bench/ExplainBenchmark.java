package org.cnnexplain.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ij.IJ;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import org.cnnexplain.explain.Backprop;
import org.cnnexplain.explain.CamVariants;
import org.cnnexplain.explain.Cam;
import org.cnnexplain.explain.Deconvnet;
import org.cnnexplain.explain.FeatureMaps;
import org.cnnexplain.explain.GradCam;
import org.cnnexplain.explain.GuidedGradCam;
import org.cnnexplain.explain.LayerChoice;
import org.cnnexplain.explain.LayerGradients;
import org.cnnexplain.explain.Smoothing;
import org.cnnexplain.explain.SmoothGrad;
import org.cnnexplain.explain.Target;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;
import org.cnnexplain.model.ModelLoader;

/**
 * Per-image latency of every method on the demo model (128 × 128, layer block4),
 * as the median of {@code runs} interleaved rounds, and its ratio to the floor:
 * one forward plus one backward pass to the layer.
 *
 * <p>Usage: {@code .ci/bench ExplainBenchmark [runs=30]}.
 */
public final class ExplainBenchmark {

    private ExplainBenchmark() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        System.out.printf(Locale.ROOT, "machine: %d cores, java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        try (ExplainableModel model = ModelLoader.load(Path.of("test-images/models/demo.onnx"), "cpu")) {
            TensorBatch batch = TensorBatch.of(ImagePlusImgs.toFloat(IJ.openImage("test-images/demo/cell_000.tif")), 1,
                    Normalization.of("model", model.spec()));
            Layer layer = LayerChoice.resolve(model, "block4");
            Target t = Target.top1();
            Map<String, BiConsumer<NDManager, NDArray>> methods = new LinkedHashMap<>();
            methods.put("forward", (run, x) -> model.forward(run, x, List.of()));
            methods.put("forward+backward (floor)", (run, x) -> LayerGradients.compute(model, run, x, layer, t));
            methods.put("featuremaps", (run, x) -> FeatureMaps.compute(model, run, x, "block4", null, "none"));
            for (String v : CamVariants.NAMES) {
                methods.put(v, (run, x) -> CamVariants.byName(v, org.cnnexplain.explain.ScoreCam.DEFAULT_BATCH).explain(model, run, x, layer, t));
            }
            methods.put("cam", (run, x) -> new Cam().explain(model, run, x, "auto", t));
            methods.put("guided backprop (class)", (run, x) -> Deconvnet.project(model, run, x, null,
                    Backprop.Rule.GUIDED, null, 1, Deconvnet.Signal.CLASS, t));
            methods.put("deconvnet (8 neurons)", (run, x) -> Deconvnet.project(model, run, x, "block4",
                    Backprop.Rule.DECONVNET, null, 8, Deconvnet.Signal.PEAK, t));
            methods.put("guided grad-cam", (run, x) -> GuidedGradCam.of(model, run, x,
                    new GradCam().explain(model, run, x, layer, t), t));
            Smoothing eight = new Smoothing(8, 8, 0.15, false, false, 0);
            methods.put("smoothgrad 8 x grad-cam", (run, x) -> SmoothGrad.cam(new GradCam(), eight, model, run, x,
                    "block4", t));
            methods.put("augment 8 x grad-cam", (run, x) -> SmoothGrad.cam(new GradCam(),
                    new Smoothing(8, 0, 0, true, false, 0), model, run, x, "block4", t));
            methods.put("smoothgrad 8 x guided backprop", (run, x) -> SmoothGrad.backprop(model, run, x, null,
                    Backprop.Rule.GUIDED, null, 1, Deconvnet.Signal.CLASS, t, eight));
            Map<String, long[]> times = new LinkedHashMap<>();
            methods.keySet().forEach(k -> times.put(k, new long[runs]));
            for (int round = -3; round < runs; round++) {   // 3 warm-up rounds, then interleaved measurements
                for (var e : methods.entrySet()) {
                    try (NDManager run = model.newRun()) {
                        NDArray x = batch.toNDArray(run);
                        long t0 = System.nanoTime();
                        e.getValue().accept(run, x);
                        long dt = System.nanoTime() - t0;
                        if (round >= 0) {
                            times.get(e.getKey())[round] = dt;
                        }
                    }
                }
            }
            double floor = median(times.get("forward+backward (floor)"));
            System.out.printf(Locale.ROOT, "%-26s %10s %8s%n", "method", "median ms", "x floor");
            times.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-26s %10.2f %8.2f%n", k, median(v) / 1e6,
                    median(v) / floor));
        }
    }

    static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
