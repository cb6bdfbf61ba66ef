package org.cnnexplain.atlas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import org.cnnexplain.explain.Backprop;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The atlas's top-K lists against a brute-force recomputation in PyTorch (make_atlas_goldens.py: every
 * activation of the 60 demo images kept and sorted per channel), for the demo model at block3 and block4;
 * the importance against the same script's Grad-CAM weights; one projection against torch autograd with
 * deconvnet ReLUs.
 *
 * <p>Float rounding differs between the two engines by ~1e-6, so two neurons whose activations differ by
 * less than the tolerance may come out in either order; such a swap is accepted only when PyTorch's own
 * list has the other neuron at an activation within the tolerance (a true near-tie), and counted.
 */
class AtlasExactnessTest {

    static final double TOL = 1e-4;
    static final int K = 9;

    static ExplainableModel model;

    @BeforeAll
    static void load() {
        model = ModelLoader.load(TestModels.DEMO_MODEL, "cpu");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static Atlas build(String layer, int[] channels, int top, boolean distinct, boolean importance,
                       boolean projections) {
        return new AtlasBuilder(model, new AtlasBuilder.Options(layer, channels, 0, top, distinct, importance,
                Backprop.Rule.DECONVNET, projections)).build(AtlasInput.folder(TestModels.DEMO_IMAGES, model, "model",
                "error"), AtlasBuilder.Listener.NONE);
    }

    static Npy golden(String file) {
        return Npy.read(TestModels.golden("atlas", file));
    }

    /** Returns the number of accepted near-tie swaps. */
    static int assertTopLists(Atlas atlas, String layer, String mode, int width) {
        Npy where = golden(layer + "_" + mode + "_where.npy");
        Npy act = golden(layer + "_" + mode + "_act.npy");
        int keep = (int) act.shape()[1];
        assertEquals(act.shape()[0], atlas.rows().size(), "channels");
        int swaps = 0;
        for (Atlas.Row row : atlas.rows()) {
            int k = row.channel();
            assertEquals(K, row.cells().size(), layer + " channel " + k);
            for (int r = 0; r < K; r++) {
                Neuron n = row.cells().get(r).neuron();
                float want = act.data()[k * keep + r];
                String where1 = layer + " " + mode + " channel " + k + " rank " + r;
                assertEquals(want, n.activation(), TOL * Math.max(1, Math.abs(want)), where1);
                int wantImage = (int) where.data()[(k * keep + r) * 2];
                int wantPos = (int) where.data()[(k * keep + r) * 2 + 1];
                if (wantImage == n.unit() && wantPos == n.y() * width + n.x()) {
                    continue;
                }
                int j = -1;
                for (int q = 0; q < keep; q++) {
                    if (where.data()[(k * keep + q) * 2] == n.unit()
                            && where.data()[(k * keep + q) * 2 + 1] == n.y() * width + n.x()) {
                        j = q;
                    }
                }
                assertTrue(j >= 0, where1 + ": image " + n.unit() + " at " + n.x() + "," + n.y()
                        + " is not among PyTorch's strongest " + keep);
                assertEquals(want, act.data()[k * keep + j], TOL * Math.max(1, Math.abs(want)),
                        where1 + ": a swap that is no near-tie");
                swaps++;
            }
        }
        return swaps;
    }

    @Test
    void block4TopListsAndImportanceEqualTheBruteForceOnes() {
        Atlas atlas = build("block4", null, K, true, true, false);
        assertEquals(60, atlas.samples());
        int swaps = assertTopLists(atlas, "block4", "distinct", 16);
        Npy predicted = golden("predicted.npy");
        for (Atlas.Row row : atlas.rows()) {
            for (Atlas.Cell c : row.cells()) {
                assertEquals((int) predicted.data()[c.neuron().unit()], c.neuron().predicted());
            }
        }
        Npy importance = golden("importance_gradcam.npy");
        Importance imp = atlas.importance();
        for (int c = 0; c < 4; c++) {
            for (int k = 0; k < 64; k++) {
                double want = importance.data()[c * 64 + k];
                assertEquals(want, imp.gradcam(c, k), 1e-6 + 1e-4 * Math.abs(want), "class " + c + " channel " + k);
                // block4 feeds the global average pooling: alpha_k = w_k^c / (h w) for every image
                assertEquals(imp.cam(c, k) / 256, imp.gradcam(c, k), 1e-6 + 1e-4 * Math.abs(want));
            }
        }
        int specific = 0;
        StringBuilder which = new StringBuilder();
        for (Atlas.Row row : atlas.rows()) {
            int top = row.topClass(4);
            int n = row.classCounts(4)[top];
            if (n >= 0.8 * K) {
                specific++;
                which.append(String.format(Locale.ROOT, " %d:%s(%d/9)", row.channel(), atlas.classes().get(top), n));
            }
        }
        System.out.println("block4: " + specific + " of 64 channels have >= 80 % of their top-9 images in one class:"
                + which + "; near-tie swaps " + swaps);
        assertTrue(swaps <= 3, swaps + " near-tie swaps");
    }

    @Test
    void block3AndAllPositionTopListsEqualTheBruteForceOnes() {
        int swaps = assertTopLists(build("block3", null, K, true, false, false), "block3", "distinct", 16);
        swaps += assertTopLists(build("block4", null, K, false, false, false), "block4", "all", 16);
        System.out.println("block3 (one per image) and block4 (all positions): near-tie swaps " + swaps);
        assertTrue(swaps <= 3, swaps + " near-tie swaps");
    }

    @Test
    void projectionOfOneNeuronEqualsTorchAutogradWithDeconvnetRelus() {
        Atlas atlas = build("block4", new int[] {0, 1}, 1, true, false, true);
        Npy projections = golden("projections.npy");
        Npy where = golden("block4_distinct_where.npy");
        for (int i = 0; i < 2; i++) {
            Atlas.Cell cell = atlas.rows().get(i).cells().get(0);
            int keep = (int) where.shape()[1];
            assertEquals((int) where.data()[i * keep * 2], cell.neuron().unit(), "the projected neuron's image");
            assertEquals((int) where.data()[i * keep * 2 + 1], cell.neuron().y() * 16 + cell.neuron().x());
            ReceptiveField.Box box = cell.box();
            assertEquals(List.of(box.width() * box.height()), List.of(cell.projection().length));
            double max = 0;
            for (float v : projections.data()) {
                max = Math.max(max, Math.abs(v));
            }
            int nonzero = 0;
            for (int y = 0; y < 128; y++) {
                for (int x = 0; x < 128; x++) {
                    float want = projections.data()[i * 128 * 128 + y * 128 + x];
                    boolean inside = x >= box.x0() && x <= box.x1() && y >= box.y0() && y <= box.y1();
                    if (!inside) {
                        assertEquals(0f, want, "the projection reaches outside the field at " + x + "," + y);
                        continue;
                    }
                    float got = cell.projection()[(y - box.y0()) * box.width() + x - box.x0()];
                    assertEquals(want, got, 1e-4 * max, "channel " + i + " at " + x + "," + y);
                    nonzero += want != 0 ? 1 : 0;
                }
            }
            assertTrue(nonzero > 10, "projection of channel " + i + " is nearly empty");
        }
    }
}
