package org.cnnexplain.explain;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ij.IJ;
import ij.ImagePlus;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Do the explanations point at what makes the class? On the held-out demo
 * images with a class-defining object (the 'empty' class has none), with their ground-truth masks:
 * <ul>
 *   <li>pointing game: the map's peak lies within 15 px of the mask;</li>
 *   <li>energy: share of the map's positive mass inside the mask, over the mask's share of the image;</li>
 *   <li>deletion: deleting pixels (in the raw image, to its background level) in the map's order lowers
 *       the class probability faster (lower area under the curve) than random order.</li>
 * </ul>
 * Prints a table for every CAM variant; asserts the thresholds for Grad-CAM.
 */
class ExplanationTruthTest {

    static final int TOLERANCE_PX = 15;
    static final int STEPS = 20;
    static ExplainableModel model;
    static List<float[]> images = new ArrayList<>();
    static List<float[]> raws = new ArrayList<>();
    static Normalization norm;
    static List<boolean[]> masks = new ArrayList<>();
    static List<Integer> labels = new ArrayList<>();

    @BeforeAll
    static void load() throws Exception {
        if (model != null) {
            return;
        }
        model = ModelLoader.load(TestModels.DEMO_MODEL, "cpu");
        norm = Normalization.of("model", model.spec());
        List<String> lines = Files.readAllLines(TestModels.DEMO_IMAGES.resolve("labels.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String file = line.split(",")[0];
            labels.add(Integer.parseInt(line.split(",")[1]));
            TensorBatch b = TensorBatch.of(ImagePlusImgs.toFloat(IJ.openImage(TestModels.DEMO_IMAGES.resolve(file).toString())),
                    1, norm);
            try (NDManager run = model.newRun()) {
                images.add(b.toNDArray(run).toFloatArray());
                raws.add(TensorBatch.of(ImagePlusImgs.toFloat(IJ.openImage(TestModels.DEMO_IMAGES.resolve(file).toString())),
                        1, Normalization.of("none", null)).toNDArray(run).toFloatArray());
            }
            ImagePlus mask = IJ.openImage(TestModels.DEMO_IMAGES.resolve("masks/" + file.replace(".tif", ".png")).toString());
            byte[] px = (byte[]) mask.getProcessor().convertToByte(false).getPixels();
            boolean[] m = new boolean[px.length];
            for (int i = 0; i < px.length; i++) {
                m[i] = (px[i] & 0xff) > 127;
            }
            masks.add(m);
        }
    }

    @AfterAll
    static void close() {
        model.close();
        model = null;
        images.clear();
        raws.clear();
        masks.clear();
        labels.clear();
    }

    record Scores(double pointing, double energy, double deletionWins, double deletionAuc, double randomAuc,
                  int[] winsPerClass, int[] imagesPerClass) {
        String row(String name) {
            return String.format(Locale.ROOT, "%-10s pointing %.3f  energy x%.2f  deletion better than random %.3f"
                    + "  (AUC %.3f vs %.3f; wins per class %s of %s)", name, pointing, energy, deletionWins,
                    deletionAuc, randomAuc, java.util.Arrays.toString(winsPerClass), java.util.Arrays.toString(imagesPerClass));
        }
    }

    /** A map method for one image: CAM variants, or one wrapped in SmoothGrad. */
    @FunctionalInterface
    interface Explains {
        CamResult explain(NDManager run, NDArray x);
    }

    static Scores evaluate(CamMethod method, String layer) {
        return evaluate((run, x) -> method.explain(model, run, x, layer, Target.top1()));
    }

    static Scores evaluate(Explains method) {
        return evaluate(method, true);
    }

    /** With {@code deletion} false only pointing and energy are computed (the deletion curves cost 42 forward passes). */
    static Scores evaluate(Explains method, boolean deletion) {
        int hits = 0;
        int wins = 0;
        int n = 0;
        double energy = 0;
        double aucMap = 0;
        double aucRandom = 0;
        Random random = new Random(7);
        int k = model.classNames().size();
        int[] winsPerClass = new int[k];
        int[] perClass = new int[k];
        for (int i = 0; i < images.size(); i++) {
            if (!hasObject(masks.get(i))) {
                continue;   // the 'empty' class has no object to point at
            }
            try (NDManager run = model.newRun()) {
                NDArray x = run.create(images.get(i), new Shape(1, 1, 128, 128));
                CamResult r = method.explain(run, x);
                if (r.classes()[0] != labels.get(i)) {
                    continue;   // only correctly classified images count
                }
                float[] map = r.inputMaps().plane(0);
                boolean[] mask = masks.get(i);
                hits += Localization.pointingHit(map, mask, 128, TOLERANCE_PX) ? 1 : 0;
                energy += Localization.energyRatio(map, mask);
                double[] auc = deletion ? deletion(run, raws.get(i), map, r.classes()[0], random) : new double[2];
                aucMap += auc[0];
                aucRandom += auc[1];
                wins += auc[0] < auc[1] ? 1 : 0;
                winsPerClass[r.classes()[0]] += auc[0] < auc[1] ? 1 : 0;
                perClass[r.classes()[0]]++;
                n++;
            }
        }
        return new Scores(hits / (double) n, energy / n, wins / (double) n, aucMap / n, aucRandom / n,
                winsPerClass, perClass);
    }

    /**
     * Mean class probability over 0..100 % of pixels deleted, in map order and in a random order.
     * Deletion happens in the raw image, where "no object here" has a physical meaning: the pixel
     * takes the image's background level (its median); each step then goes through the model's own
     * normalisation, as any image would. (Deleting in normalised space instead leaves the percentile
     * scaling of the original image in place, which a model may read as evidence on its own.)
     */
    static double[] deletion(NDManager run, float[] raw, float[] map, int cls, Random random) {
        Integer[] byMap = new Integer[map.length];
        List<Integer> shuffled = new ArrayList<>();
        for (int i = 0; i < map.length; i++) {
            byMap[i] = i;
            shuffled.add(i);
        }
        java.util.Arrays.sort(byMap, (a, b) -> Float.compare(map[b], map[a]));
        java.util.Collections.shuffle(shuffled, random);
        return new double[] {curve(run, raw, byMap, cls), curve(run, raw, shuffled.toArray(new Integer[0]), cls)};
    }

    static double curve(NDManager run, float[] raw, Integer[] order, int cls) {
        float[] sorted = raw.clone();
        java.util.Arrays.sort(sorted);
        float background = sorted[sorted.length / 2];
        float[] batch = new float[(STEPS + 1) * raw.length];
        for (int s = 0; s <= STEPS; s++) {
            float[] copy = raw.clone();
            int deleted = (int) Math.round(order.length * s / (double) STEPS);
            for (int k = 0; k < deleted; k++) {
                copy[order[k]] = background;
            }
            norm.apply(copy, 0);
            System.arraycopy(copy, 0, batch, s * raw.length, raw.length);
        }
        NDArray x = run.create(batch, new Shape(STEPS + 1, 1, 128, 128));
        float[] p = model.forward(run, x, List.of()).logits().softmax(1).toFloatArray();
        double sum = 0;
        for (int s = 0; s <= STEPS; s++) {
            double v = p[s * model.classNames().size() + cls];
            sum += (s == 0 || s == STEPS) ? v / 2 : v;   // trapezoid rule
        }
        return sum / STEPS;
    }

    static boolean hasObject(boolean[] mask) {
        for (boolean b : mask) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    @Test
    void gradCamPointsAtTheClassDefiningObject() {
        List<CamMethod> all = List.of(new GradCam(), new GradCamPlusPlus(), new XGradCam(), new LayerCam(),
                new HiResCam(), new EigenCam(), new ScoreCam(32), new Cam());
        Scores gradcam = null;
        System.out.println("Explanation truth on " + images.size() + " held-out demo images, layer block4:");
        for (CamMethod m : all) {
            Scores s = evaluate(m, m instanceof Cam ? "auto" : "block4");
            System.out.println(s.row(m.name()));
            if (m instanceof GradCam) {
                gradcam = s;
            }
        }
        assertTrue(gradcam.pointing() >= 0.9, gradcam.row("gradcam"));
        assertTrue(gradcam.energy() >= 3.0, gradcam.row("gradcam"));
        assertTrue(gradcam.deletionWins() >= 0.9, gradcam.row("gradcam"));
    }
}
