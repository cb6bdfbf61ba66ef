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
import ij.ImagePlus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.model.ModelSpec;
import org.cnnexplain.model.Prediction;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models whose scores go through a sigmoid (src/test/python/make_binary_unet.py):
 * a binary nucleus U-Net (one output channel) and a multi-label classifier (one sigmoid per class),
 * against the PyTorch/NumPy goldens of the script.
 */
class SigmoidModelsTest {

    static final Path MODELS = Path.of("src/test/resources/models");

    static TensorBatch demo(ExplainableModel model, String file) {
        return TensorBatch.of(ImagePlusImgs.toFloat(IJ.openImage(TestModels.DEMO_IMAGES.resolve(file).toString())), 1,
                Normalization.of("model", model.spec()));
    }

    /** Rows {@code from..to} of a golden table's images as one batch. */
    static TensorBatch demoBatch(ExplainableModel model, List<String[]> rows, int from, int to) {
        ij.ImageStack stack = new ij.ImageStack(128, 128);
        for (int i = from; i < to; i++) {
            stack.addSlice(IJ.openImage(TestModels.DEMO_IMAGES.resolve(rows.get(i)[0]).toString()).getProcessor());
        }
        return TensorBatch.of(ImagePlusImgs.toFloat(new ij.ImagePlus("batch", stack)), 1,
                Normalization.of("model", model.spec()));
    }

    static List<String[]> golden(String file) throws Exception {
        List<String> lines = Files.readAllLines(TestModels.golden("sigmoid", file));
        List<String[]> rows = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            rows.add(l.split(",", -1));
        }
        return rows;
    }

    /**
     * The criterion: with the default target (the foreground logit summed over the predicted
     * foreground), Seg-Grad-CAM's energy inside the predicted foreground is at least twice the
     * foreground's area share on at least 90 % of the 60 demo images; Predict's foreground fraction and
     * mean probability equal NumPy's on the PyTorch output.
     */
    @Test
    void binaryUnetExplainsTheNucleiAndCountsTheForeground() throws Exception {
        List<String[]> rows = golden("binary_demo.csv");
        int good = 0;
        double energySum = 0;
        StringBuilder misses = new StringBuilder();
        try (ExplainableModel model = ModelLoader.load(MODELS.resolve("binary_unet.onnx"), "cpu")) {
            float[] all = new float[rows.size() * 128 * 128];
            for (int i = 0; i < rows.size(); i++) {
                System.arraycopy(demo(model, rows.get(i)[0]).sample(0), 0, all, i * 128 * 128, 128 * 128);
            }
            int chunk = 12;   // several images per pass: the engine's per-node cost is shared
            for (int from = 0; from < rows.size(); from += chunk) {
                int to = Math.min(rows.size(), from + chunk);
                try (NDManager run = model.newRun()) {
                    NDArray x = Tensors.of(run, java.util.Arrays.copyOfRange(all, from * 128 * 128, to * 128 * 128),
                            new Shape(to - from, 1, 128, 128));
                    float[] logits = model.forward(run, x, List.of()).logits().toFloatArray();
                    if (from == 0) {
                        assertClose(java.util.Arrays.copyOf(logits, 128 * 128), new long[] {1, 1, 128, 128},
                                Npy.read(TestModels.golden("sigmoid", "binary_logits_first.npy")), 1e-4,
                                "binary U-Net logits vs PyTorch");
                    }
                    List<Prediction> predictions = Prediction.of(model, demoBatch(model, rows, from, to));
                    CamResult r = new GradCam().explain(model, run, x, "auto", Target.top1());
                    for (int i = from; i < to; i++) {
                        String[] row = rows.get(i);
                        Prediction p = predictions.get(i - from);
                        assertEquals(ModelSpec.Activation.SIGMOID, p.activation());
                        assertEquals(Double.parseDouble(row[1]), p.probabilities()[0], 0.5 / 16384,
                                row[0] + " foreground fraction");
                        assertEquals(Double.parseDouble(row[2]), p.meanProbabilities()[0], 1e-5,
                                row[0] + " mean probability");
                        boolean[] foreground = new boolean[128 * 128];
                        for (int q = 0; q < foreground.length; q++) {
                            foreground[q] = logits[(i - from) * 128 * 128 + q] > 0;
                        }
                        double energy = Localization.energyRatio(r.inputMaps().plane(i - from), foreground);
                        energySum += energy;
                        if (energy >= 2.0) {
                            good++;
                        } else {
                            misses.append(String.format(Locale.ROOT, " %s x%.2f", row[0], energy));
                        }
                    }
                }
            }
        }
        String report = String.format(Locale.ROOT, "binary U-Net Seg-Grad-CAM (auto, default target): energy in the"
                + " predicted foreground >= 2x its area share on %d/%d demo images (mean x%.2f); below:%s",
                good, rows.size(), energySum / rows.size(), misses);
        System.out.println(report);
        assertTrue(good >= 0.9 * rows.size(), report);
    }

    /** The default target of a binary model is its logit over the predicted foreground, not over the image. */
    @Test
    void binaryDefaultTargetSumsThePredictedForeground() throws Exception {
        try (ExplainableModel model = ModelLoader.load(MODELS.resolve("binary_unet.onnx"), "cpu");
             NDManager run = model.newRun()) {
            NDArray logits = model.forward(run, demo(model, "cell_001.tif").toNDArray(run), List.of()).logits();
            ModelSpec.Activation a = model.activation(logits);
            int[] cls = Target.top1().classes(logits, model.classNames(), a);
            assertArrayEquals(new int[] {0}, cls);
            float[] w = Target.top1().weights(logits, cls, a);
            float[] v = logits.toFloatArray();
            double expected = 0;
            int inside = 0;
            for (int q = 0; q < v.length; q++) {
                assertEquals(v[q] > 0 ? 1f : 0f, w[q], "weight at " + q);
                expected += v[q] > 0 ? v[q] : 0;
                inside += v[q] > 0 ? 1 : 0;
            }
            assertTrue(inside > 0 && inside < v.length / 2, "foreground pixels: " + inside);
            assertEquals(expected, Target.top1().score(logits, cls, a).getFloat(0), 1e-3 * Math.abs(expected));
        }
    }

    /** Per-class sigmoids: probabilities and the classes above 0.5 as PyTorch gives them; top1 the largest. */
    @Test
    void multiLabelClassifierGivesPerClassSigmoids() throws Exception {
        List<String[]> rows = golden("multilabel_demo.csv");
        try (ExplainableModel model = ModelLoader.load(MODELS.resolve("multilabel.onnx"), "cpu")) {
            List<String> classes = model.classNames();
            int multi = 0;
            for (String[] row : rows) {
                Prediction p = Prediction.of(model, demo(model, row[0])).get(0);
                for (int c = 0; c < classes.size(); c++) {
                    assertEquals(Double.parseDouble(row[1 + c]), p.probabilities()[c], 1e-5, row[0] + " p_" + classes.get(c));
                }
                List<String> above = new ArrayList<>();
                for (int c : p.above(0.5)) {
                    above.add(classes.get(c));
                }
                assertEquals(row[1 + classes.size()], String.join(";", above), row[0]);
                assertEquals(Prediction.argMax(p.probabilities()), p.top1());
                multi += above.size() > 1 ? 1 : 0;
            }
            assertTrue(multi > 0, "no demo image has two classes above 0.5: the test would not tell softmax from sigmoid");
            try (NDManager run = model.newRun()) {
                NDArray logits = model.forward(run, demo(model, rows.get(0)[0]).toNDArray(run), List.of()).logits();
                float l = logits.toFloatArray()[1];
                float score = Target.parse("mitotic", "probability").score(logits, new int[] {1},
                        model.activation(logits)).getFloat(0);
                assertEquals(1 / (1 + Math.exp(-l)), score, 1e-6, "probability target = the class's own sigmoid");
            }
        }
    }

    /**
     * Predict as users run it: the JSON line of a binary model carries the foreground fraction and
     * mean probability, {@code --output} writes the probability map (one labelled slice, values in
     * [0, 1], whose mean is the mean probability); a multi-label model's line lists the positive classes;
     * {@code --output} with a classifier is a one-line error.
     */
    @Test
    void predictOnTheCommandLineReportsTheForegroundAndWritesTheMap(@TempDir Path tmp) throws Exception {
        String[] row = golden("binary_demo.csv").get(0);
        Path image = TestModels.DEMO_IMAGES.resolve(row[0]);
        Cli r = Cli.run("predict", "--model", MODELS.resolve("binary_unet.onnx").toString(), "--input", image.toString(),
                "--device", "cpu", "--output", tmp.toString());
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out().trim()).getAsJsonObject();
        assertEquals(Double.parseDouble(row[1]), o.get("foreground_fraction").getAsDouble(), 0.5 / 16384);
        assertEquals(Double.parseDouble(row[2]), o.get("mean_probability").getAsDouble(), 1e-5);
        assertEquals("nucleus", o.getAsJsonObject("top1").get("name").getAsString());
        ImagePlus map = IJ.openImage(tmp.resolve(row[0].replace(".tif", "_prediction.tif")).toString());
        assertEquals(1, map.getStackSize());
        assertEquals("nucleus", map.getStack().getSliceLabel(1));
        float[] px = (float[]) map.getProcessor().getPixels();
        double sum = 0;
        for (float v : px) {
            assertTrue(v >= 0 && v <= 1, "probability " + v);
            sum += v;
        }
        assertEquals(Double.parseDouble(row[2]), sum / px.length, 1e-5);

        String[] multi = golden("multilabel_demo.csv").stream().filter(g -> g[4].contains(";")).findFirst().orElseThrow();
        Cli m = Cli.run("predict", "--model", MODELS.resolve("multilabel.onnx").toString(), "--input",
                TestModels.DEMO_IMAGES.resolve(multi[0]).toString(), "--device", "cpu");
        assertEquals(0, m.code(), m.err());
        JsonObject mo = JsonParser.parseString(m.out().trim()).getAsJsonObject();
        List<String> positive = new ArrayList<>();
        mo.getAsJsonArray("positive").forEach(e -> positive.add(e.getAsString()));
        assertEquals(multi[4], String.join(";", positive));

        Cli bad = Cli.run("predict", "--model", TestModels.DEMO_MODEL.toString(), "--input", image.toString(),
                "--device", "cpu", "--output", tmp.resolve("x").toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("classifies whole images") && !bad.err().contains("Exception"), bad.err());
    }

    record Cli(int code, String out, String err) {
        static Cli run(String... args) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            int code = org.cnnexplain.cli.Main.run(args, new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
                    new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
            return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }
}
