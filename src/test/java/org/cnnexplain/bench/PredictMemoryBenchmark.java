package org.cnnexplain.bench;

import ij.IJ;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.model.Prediction;

/**
 * Process growth over many consecutive predictions in one JVM (native memory
 * included: the resident set size from /proc), and the per-prediction latency.
 *
 * <p>Usage: {@code PredictMemoryBenchmark [runs=1000] [warmup=200]}.
 * Pass: growth after warm-up below 50 MB.
 */
public final class PredictMemoryBenchmark {

    private PredictMemoryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        System.out.printf(Locale.ROOT, "machine: %d cores, java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        try (ExplainableModel model = ModelLoader.load(Path.of("test-images/models/demo.onnx"), "cpu")) {
            TensorBatch batch = TensorBatch.of(
                    ImagePlusImgs.toFloat(IJ.openImage("test-images/demo/cell_000.tif")), 1,
                    Normalization.of("model", model.spec()));
            for (int i = 0; i < warmup; i++) {
                Prediction.of(model, batch);
            }
            System.gc();
            long before = rssKb();
            long[] nanos = new long[runs];
            for (int i = 0; i < runs; i++) {
                long t = System.nanoTime();
                Prediction.of(model, batch);
                nanos[i] = System.nanoTime() - t;
            }
            System.gc();
            long after = rssKb();
            Arrays.sort(nanos);
            System.out.printf(Locale.ROOT, "predictions: %d after %d warm-up, median %.2f ms, p90 %.2f ms%n", runs, warmup,
                    nanos[runs / 2] / 1e6, nanos[runs * 9 / 10] / 1e6);
            double growthMb = (after - before) / 1024.0;
            System.out.printf(Locale.ROOT, "RSS: %.1f MB -> %.1f MB, growth %.1f MB (limit 50 MB): %s%n",
                    before / 1024.0, after / 1024.0, growthMb, growthMb < 50 ? "PASS" : "FAIL");
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
