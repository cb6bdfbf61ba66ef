package org.cnnexplain.explain.maximize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.cnnexplain.UserError;
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
 * What activation maximisation claims, on the demo model: the image synthesised for each class is
 * classified as that class with p ≥ 0.95; for at least 90 % of block4's channels (all 64, as one batch) the
 * synthesised input activates its channel (mean of its map) more than any of the 60 demo images does; and
 * a run is the same for the same seed. Few steps (the test budget), with the default regularisers.
 */
class ActivationMaximisationTest {

    static ExplainableModel model;

    @BeforeAll
    static void load() {
        model = ModelLoader.load(TestModels.DEMO_MODEL, "cpu");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void everyClassImageIsClassifiedAsItsClass() {
        List<Unit> units = UnitChoice.of(model, "class", "all", null, null, 0, null, List.of());
        assertEquals(4, units.size());
        Settings s = new Settings(40, 0.15, 0, Range.of(0, 1), Regularisers.DEFAULT);
        ActivationMaximisation.Result r = ActivationMaximisation.run(model, units, s, null);
        for (int i = 0; i < units.size(); i++) {
            System.out.println("maximise: " + r.label(i));
            assertTrue(r.probability()[i] >= 0.95, r.label(i));
        }
    }

    @Test
    void block4ChannelsBeatEveryDemoImage() throws Exception {
        List<Unit> units = UnitChoice.of(model, "channel", null, "block4", "", 0, null, List.of());
        assertEquals(64, units.size());
        Settings s = new Settings(BLOCK4_STEPS, 0.15, 0, Range.of(0, 1), Regularisers.DEFAULT);
        ActivationMaximisation.Result r = ActivationMaximisation.run(model, units, s, null);
        float[] best = ActivationMaximisation.maxOver(model, units, demoImages());
        int beaten = 0;
        for (int i = 0; i < units.size(); i++) {
            beaten += r.activation()[i] > best[i] ? 1 : 0;
        }
        System.out.printf("maximise: %d of 64 block4 channels above every demo image (%d steps)%n", beaten, BLOCK4_STEPS);
        assertTrue(beaten >= 0.9 * 64, beaten + " of 64");
    }

    static final int BLOCK4_STEPS = 16;

    @Test
    void theSameSeedGivesTheSameImagesAndAUnitTheSameAloneAsInABatch() {
        List<Unit> two = List.of(Unit.classScore(1, "mitotic"), Unit.neuron("block3", 5, 3, 4));
        Settings s = new Settings(4, 0.1, 7, Range.of(0, 1), Regularisers.DEFAULT);
        ActivationMaximisation.Result a = ActivationMaximisation.run(model, two, s, null);
        ActivationMaximisation.Result b = ActivationMaximisation.run(model, two, s, null);
        assertArrayEquals(a.inputs(), b.inputs());
        ActivationMaximisation.Result alone = ActivationMaximisation.run(model, two.subList(1, 2), s, null);
        int size = 128 * 128;
        float[] second = java.util.Arrays.copyOfRange(a.inputs(), size, 2 * size);
        assertArrayEquals(second, alone.inputs(), 1e-4f);
        ActivationMaximisation.Result other = ActivationMaximisation.run(model, two, new Settings(4, 0.1, 8,
                Range.of(0, 1), Regularisers.DEFAULT), null);
        assertTrue(maxDiff(a.inputs(), other.inputs()) > 0.01, "another seed, other images");
    }

    /**
     * The gradient the ascent follows — through the Fourier basis, the sigmoid, the model (block4 before its
     * ReLU; the mitotic logit) and the L2 and TV penalties — against plain torch autograd on the scripted demo
     * model (make_maximize_goldens.py), at the same parameters.
     */
    @Test
    void theObjectivesGradientMatchesPyTorch() {
        org.cnnexplain.testutil.Npy p = org.cnnexplain.testutil.Npy.read(TestModels.golden("maximize", "p.npy"));
        org.cnnexplain.testutil.Npy want = org.cnnexplain.testutil.Npy.read(TestModels.golden("maximize", "gradient.npy"));
        Settings s = new Settings(1, 0.1, 0, Range.of(0, 1), new Regularisers(0, 0, 0, 0.3, 0.05, 0, 1, true));
        float[] got = ActivationMaximisation.gradientAt(model, List.of(Unit.channel("block4", 7),
                Unit.classScore(1, "mitotic")), s, p.data());
        float scale = 0;
        for (float v : want.data()) {
            scale = Math.max(scale, Math.abs(v));
        }
        float err = maxDiff(got, want.data()) / scale;
        System.out.printf("maximise: gradient vs PyTorch, max |diff| / max |ref| = %.2e%n", err);
        assertTrue(err < 1e-3, "relative error " + err);
    }

    @Test
    void aCancelledRunStopsAndClearErrorsNameTheProblem() {
        List<Unit> one = List.of(Unit.channel("block4", 0));
        Settings s = new Settings(50, 0.1, 0, Range.of(0, 1), Regularisers.DEFAULT);
        ActivationMaximisation.Result r = ActivationMaximisation.run(model, one, s, (done, total) -> done < 2);
        assertTrue(r.cancelled());
        assertEquals(2, r.steps());
        UserError e = assertThrows(UserError.class, () -> ActivationMaximisation.run(model,
                List.of(Unit.channel("block4", 64)), s, null));
        assertTrue(e.getMessage().contains("0-63"), e.getMessage());
        e = assertThrows(UserError.class, () -> UnitChoice.of(model, "class", "nucleus", null, null, 0, null, List.of()));
        assertTrue(e.getMessage().contains("interphase, mitotic, speckled, empty"), e.getMessage());
        e = assertThrows(UserError.class, () -> ActivationMaximisation.run(model,
                List.of(Unit.neuron("block4", 0, 16, 2)), s, null));
        assertTrue(e.getMessage().contains("16 x 16"), e.getMessage());
        assertThrows(UserError.class, () -> new Regularisers(-1, 0, 0, 0, 0, 0, 1, true));
    }

    static List<TensorBatch> demoImages() throws Exception {
        Normalization norm = Normalization.of("model", model.spec());
        List<TensorBatch> out = new ArrayList<>();
        try (var files = Files.list(TestModels.DEMO_IMAGES)) {
            for (var f : files.filter(p -> p.toString().endsWith(".tif")).sorted().toList()) {
                out.add(TensorBatch.of(ImagePlusImgs.toFloat(IJ.openImage(f.toString())), 1, norm));
            }
        }
        assertEquals(60, out.size());
        return out;
    }

    static float maxDiff(float[] a, float[] b) {
        float d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }
}
