package org.cnnexplain.bench;

import ij.IJ;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import ai.djl.ndarray.NDManager;
import org.cnnexplain.explain.GradCam;
import org.cnnexplain.explain.Target;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.model.Prediction;

/**
 * Process growth over many consecutive runs in one JVM (native memory included:
 * the resident set size from /proc), and the per-run latency.
 *
 * <p>Usage: {@code MemoryBenchmark predict|gradcam [runs] [warmup] [model]}, model
 * {@code test-images/models/demo.onnx} by default ({@code demo.pt} for the TorchScript path).
 * Pass: growth after warm-up below 50 MB for 1000 predictions, below 100 MB for 2000 Grad-CAM runs.
 */
public final class MemoryBenchmark {

    private MemoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "predict";
        boolean gradcam = what.equals("gradcam");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : gradcam ? 2000 : 1000;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        double limitMb = gradcam ? 100 : 50;
        String modelFile = args.length > 3 ? args[3] : "test-images/models/demo.onnx";
        System.out.printf(Locale.ROOT, "machine: %d cores, java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        try (ExplainableModel model = ModelLoader.load(Path.of(modelFile), "cpu")) {
            TensorBatch batch = TensorBatch.of(
                    ImagePlusImgs.toFloat(IJ.openImage("test-images/demo/cell_000.tif")), 1,
                    Normalization.of("model", model.spec()));
            Runnable once = gradcam ? () -> {
                try (NDManager run = model.newRun()) {
                    new GradCam().explain(model, run, batch.toNDArray(run), "auto", Target.top1());
                }
            } : () -> Prediction.of(model, batch);
            for (int i = 0; i < warmup; i++) {
                once.run();
            }
            System.gc();
            long before = rssKb();
            long[] nanos = new long[runs];
            for (int i = 0; i < runs; i++) {
                long t = System.nanoTime();
                once.run();
                nanos[i] = System.nanoTime() - t;
            }
            System.gc();
            long after = rssKb();
            Arrays.sort(nanos);
            System.out.printf(Locale.ROOT, "%s (%s): %d runs after %d warm-up, median %.2f ms, p90 %.2f ms%n", what,
                    modelFile, runs, warmup, nanos[runs / 2] / 1e6, nanos[runs * 9 / 10] / 1e6);
            double growthMb = (after - before) / 1024.0;
            System.out.printf(Locale.ROOT, "RSS: %.1f MB -> %.1f MB, growth %.1f MB (limit %.0f MB): %s%n",
                    before / 1024.0, after / 1024.0, growthMb, limitMb, growthMb < limitMb ? "PASS" : "FAIL");
        }
    }

    static long rssKb() throws Exception {
        List<String> status = Files.readAllLines(Path.of("/proc/self/status"));
        for (String line : status) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
