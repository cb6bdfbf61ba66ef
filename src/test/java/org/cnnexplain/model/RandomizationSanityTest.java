package org.cnnexplain.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ij.IJ;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cnnexplain.explain.CamResult;
import org.cnnexplain.explain.GradCam;
import org.cnnexplain.explain.Target;
import org.cnnexplain.graph.Graph;
import org.cnnexplain.graph.Node;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;

/**
 * Model-randomisation sanity check (Adebayo et al. 2018): with the weights of
 * the last two conv blocks re-initialised, Grad-CAM must change. An explanation
 * that only reflected the image (an edge detector) would not.
 */
class RandomizationSanityTest {

    @Test
    void gradCamDependsOnTheLearnedWeights() throws Exception {
        try (ExplainableModel trained = ModelLoader.load(TestModels.DEMO_MODEL, "cpu");
             ExplainableModel randomized = reinitialised(trained, List.of("/block3/", "/block4/"))) {
            Normalization norm = Normalization.of("model", trained.spec());
            List<String> lines = Files.readAllLines(TestModels.DEMO_IMAGES.resolve("labels.csv"));
            double sum = 0;
            int n = 0;
            for (String line : lines.subList(1, lines.size())) {
                TensorBatch b = TensorBatch.of(ImagePlusImgs.toFloat(
                        IJ.openImage(TestModels.DEMO_IMAGES.resolve(line.split(",")[0]).toString())), 1, norm);
                try (NDManager run = trained.newRun(); NDManager run2 = randomized.newRun()) {
                    CamResult a = new GradCam().explain(trained, run, b.toNDArray(run), "block4", Target.top1());
                    Target same = new Target(Integer.toString(a.classes()[0]), false);
                    CamResult r = new GradCam().explain(randomized, run2, b.toNDArray(run2), "block4", same);
                    sum += spearman(a.layerMaps().plane(0), r.layerMaps().plane(0));
                    n++;
                }
            }
            double mean = sum / n;
            System.out.printf(Locale.ROOT, "Grad-CAM Spearman correlation, trained vs re-initialised block3+block4: %.3f (%d images)%n",
                    mean, n);
            assertTrue(mean < 0.5, "mean Spearman " + mean);
        }
    }

    /** A copy of {@code model} whose conv weights under the given scopes are drawn anew (He normal). */
    static ExplainableModel reinitialised(ExplainableModel model, List<String> scopes) {
        Graph g = model.graph();
        NDManager manager = DeviceChoice.engine().newBaseManager(model.device());
        NDManager weights = manager.newSubManager();
        manager.getEngine().setRandomSeed(11);
        Map<String, NDArray> constants = new HashMap<>(g.constants());
        for (Node node : g.nodes()) {
            if (node.opType().equals("Conv") && scopes.stream().anyMatch(node.name()::startsWith)) {
                NDArray w = g.constants().get(node.inputs().get(1));
                Shape s = w.getShape();
                float std = (float) Math.sqrt(2.0 / (s.size() / s.get(0)));
                constants.put(node.inputs().get(1), weights.randomNormal(0, std, s, w.getDataType()));
                if (node.inputs().size() > 2) {
                    NDArray bias = g.constants().get(node.inputs().get(2));
                    constants.put(node.inputs().get(2), weights.zeros(bias.getShape()));
                }
            }
        }
        Graph copy = new Graph(g.nodes(), constants, g.inputs(), g.outputs(), g.opset(), weights);
        return new ExplainableModel(model.path(), new OnnxNetwork(copy), model.spec(), model.device(), manager);
    }

    /** Spearman rank correlation (average ranks for ties); 0 when either map is constant. */
    static double spearman(float[] a, float[] b) {
        double[] ra = ranks(a);
        double[] rb = ranks(b);
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += ra[i];
            mb += rb[i];
        }
        ma /= a.length;
        mb /= a.length;
        double cov = 0;
        double va = 0;
        double vb = 0;
        for (int i = 0; i < a.length; i++) {
            cov += (ra[i] - ma) * (rb[i] - mb);
            va += (ra[i] - ma) * (ra[i] - ma);
            vb += (rb[i] - mb) * (rb[i] - mb);
        }
        return va == 0 || vb == 0 ? 0 : cov / Math.sqrt(va * vb);
    }

    static double[] ranks(float[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (p, q) -> Float.compare(v[p], v[q]));
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; ) {
            int j = i;
            while (j + 1 < v.length && v[order[j + 1]] == v[order[i]]) {
                j++;
            }
            for (int k = i; k <= j; k++) {
                r[order[k]] = (i + j) / 2.0;
            }
            i = j + 1;
        }
        return r;
    }
}
