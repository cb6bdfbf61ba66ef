package org.cnnexplain.explain;

import static org.cnnexplain.testutil.Compare.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ij.IJ;
import ij.ImagePlus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;

/**
 * Seg-Grad-CAM on a trained U-Net (make_seg_demo.py: background, interphase, mitotic,
 * speckled per pixel) over the held-out demo images with an object: does the map of a
 * class, summed over the predicted region or over an ROI drawn around the object,
 * point at the object (ground-truth mask)? Pointing game (peak within 15 px) and
 * energy ratio at {@code layer=auto} (the first decoder stage), for the default target
 * and for an ROI target; the bottleneck's numbers are printed beside them (the reason
 * auto is not the bottleneck); plus the model's logits against PyTorch.
 */
class SegmentationTruthTest {

    static final Path MODEL = TestModels.parityModel("seg_demo", 13).resolveSibling("seg_demo.onnx");

    @Test
    void segGradCamPointsAtTheObjectOfTheRegion() throws Exception {
        List<String> lines = Files.readAllLines(TestModels.DEMO_IMAGES.resolve("labels.csv"));
        int n = 0;
        int dominantRight = 0;
        int[] hits = new int[3];
        double[] energy = new double[3];
        int explained = 0;
        try (ExplainableModel model = ModelLoader.load(MODEL, "cpu")) {
            Normalization norm = Normalization.of("model", model.spec());
            float[] first = null;
            for (int i = 1; i < lines.size(); i++) {
                String file = lines.get(i).split(",")[0];
                String cls = lines.get(i).split(",")[2];
                TensorBatch b = TensorBatch.of(ImagePlusImgs.toFloat(IJ.openImage(
                        TestModels.DEMO_IMAGES.resolve(file).toString())), 1, norm);
                try (NDManager run = model.newRun()) {
                    NDArray x = b.toNDArray(run);
                    NDArray logits = model.forward(run, x, List.of()).logits();
                    if (i == 1) {
                        first = logits.toFloatArray();
                    }
                    boolean[] mask = mask(file);
                    if (cls.equals("empty")) {
                        continue;
                    }
                    n++;
                    int dominant = Target.top1().classes(logits, model.classNames(), model.activation(logits))[0];
                    if (!model.classNames().get(dominant).equals(cls)) {
                        continue;   // only images whose object is segmented as its class
                    }
                    dominantRight++;
                    Target[] targets = {Target.top1(), Target.parse(cls, "logit").within(box(mask)), Target.top1()};
                    String[] layers = {"auto", "auto", "bottleneck"};
                    for (int t = 0; t < 3; t++) {
                        float[] map = new GradCam().explain(model, run, x, layers[t], targets[t]).inputMaps().plane(0);
                        hits[t] += Localization.pointingHit(map, mask, 128, 15) ? 1 : 0;
                        energy[t] += Localization.energyRatio(map, mask);
                    }
                    explained++;
                }
            }
            assertClose(first, new long[] {1, 4, 128, 128},
                    Npy.read(TestModels.golden("seg_demo", "logits_first.npy")), 1e-4, "seg_demo logits vs PyTorch");
        }
        String report = String.format(Locale.ROOT, "dominant class right %d/%d; Seg-Grad-CAM (auto: first decoder"
                + " stage) over the predicted region: pointing %.3f, energy x%.2f; over an ROI around the object:"
                + " pointing %.3f, energy x%.2f; at the bottleneck over the predicted region: pointing %.3f, energy"
                + " x%.2f", dominantRight, n, hits[0] / (double) explained, energy[0] / explained,
                hits[1] / (double) explained, energy[1] / explained, hits[2] / (double) explained,
                energy[2] / explained);
        System.out.println(report);
        assertTrue(dominantRight >= 0.9 * n, report);
        for (int t = 0; t < 2; t++) {
            assertTrue(hits[t] >= 0.9 * explained, report);
            assertTrue(energy[t] / explained >= 3.0, report);
        }
    }

    static boolean[] mask(String file) {
        ImagePlus m = IJ.openImage(TestModels.DEMO_IMAGES.resolve("masks/" + file.replace(".tif", ".png")).toString());
        byte[] px = (byte[]) m.getProcessor().convertToByte(false).getPixels();
        boolean[] out = new boolean[px.length];
        for (int i = 0; i < px.length; i++) {
            out[i] = (px[i] & 0xff) > 127;
        }
        return out;
    }

    /** The mask's bounding box grown by 4 px: an ROI as a user would draw it around the object. */
    static Region box(boolean[] mask) {
        int x0 = 128;
        int y0 = 128;
        int x1 = -1;
        int y1 = -1;
        for (int p = 0; p < mask.length; p++) {
            if (mask[p]) {
                x0 = Math.min(x0, p % 128);
                x1 = Math.max(x1, p % 128);
                y0 = Math.min(y0, p / 128);
                y1 = Math.max(y1, p / 128);
            }
        }
        return Region.box(128, 128, x0 - 4, y0 - 4, x1 - x0 + 9, y1 - y0 + 9);
    }
}
