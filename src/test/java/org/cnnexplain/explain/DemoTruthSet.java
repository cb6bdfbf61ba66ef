package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ij.IJ;
import ij.ImagePlus;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.testutil.TestModels;

/**
 * The demo truth set held in memory for tests that score map variants quickly: the 60 demo images
 * (normalised), their object masks and labels, and the pointing game and energy ratio of a map
 * method over the images with an object that the model classifies correctly — the definitions
 * {@code evaluate} uses ({@link Localization}, 15 px). No deletion curves: those are
 * {@code evaluate}'s, tested in {@link ExplanationTruthTest}.
 */
final class DemoTruthSet implements AutoCloseable {

    static final int TOLERANCE_PX = 15;

    /** A map method for one image. */
    @FunctionalInterface
    interface Explains {
        CamResult explain(NDManager run, NDArray x);
    }

    record Scores(double pointing, double energy, int images) {
        String row(String name) {
            return String.format(Locale.ROOT, "%-22s pointing %.3f  energy x%.2f  (%d images)", name, pointing,
                    energy, images);
        }
    }

    final ExplainableModel model;
    private final List<float[]> images = new ArrayList<>();
    private final List<boolean[]> masks = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();

    DemoTruthSet() throws Exception {
        model = ModelLoader.load(TestModels.DEMO_MODEL, "cpu");
        Normalization norm = Normalization.of("model", model.spec());
        List<String> lines = Files.readAllLines(TestModels.DEMO_IMAGES.resolve("labels.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String file = line.split(",")[0];
            labels.add(Integer.parseInt(line.split(",")[1]));
            TensorBatch b = TensorBatch.of(ImagePlusImgs.toFloat(
                    IJ.openImage(TestModels.DEMO_IMAGES.resolve(file).toString())), 1, norm);
            try (NDManager run = model.newRun()) {
                images.add(b.toNDArray(run).toFloatArray());
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

    Scores evaluate(Explains method) {
        int hits = 0;
        int n = 0;
        double energy = 0;
        for (int i = 0; i < images.size(); i++) {
            boolean[] mask = masks.get(i);
            if (!hasObject(mask)) {
                continue;   // the 'empty' class has no object to point at
            }
            try (NDManager run = model.newRun()) {
                NDArray x = Tensors.of(run, images.get(i), new Shape(1, 1, 128, 128));
                CamResult r = method.explain(run, x);
                if (r.classes()[0] != labels.get(i)) {
                    continue;   // only correctly classified images count
                }
                float[] map = r.inputMaps().plane(0);
                hits += Localization.pointingHit(map, mask, 128, TOLERANCE_PX) ? 1 : 0;
                energy += Localization.energyRatio(map, mask);
                n++;
            }
        }
        return new Scores(hits / (double) n, energy / n, n);
    }

    private static boolean hasObject(boolean[] mask) {
        for (boolean b : mask) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        model.close();
    }
}
