package org.cnnexplain.atlas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.Backprop;
import org.cnnexplain.explain.LayerChoice;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Receptive fields from the graph against the textbook arithmetic, written out here layer by layer from
 * the architectures (make_demo.py, make_parity_models.py): for a chain of windows (kernel k, stride s,
 * padding p) the field grows by (k − 1)·jump, its centre moves by ((k − 1)/2 − p)·jump, and the jump
 * multiplies by s. ResNet's shortcuts are shorter paths with the same centre, so the main path decides.
 */
class ReceptiveFieldTest {

    record Window(int k, int s, int p) {
    }

    static final Window CONV3 = new Window(3, 1, 1);
    static final Window POOL2 = new Window(2, 2, 0);
    static final Window CONV3S2 = new Window(3, 2, 1);

    static ExplainableModel demo;
    static ExplainableModel resnet;

    @BeforeAll
    static void load() {
        demo = ModelLoader.load(TestModels.DEMO_MODEL, "cpu");
        resnet = ModelLoader.load(TestModels.parityModel("resnet18s", 13), "cpu");
    }

    @AfterAll
    static void close() {
        demo.close();
        resnet.close();
    }

    /** Box of neuron (i, i) by the centre recurrence: {x0, y0, x1, y1}, unclipped. */
    static long[] analytic(List<Window> chain, int i) {
        double centre = 0;
        double size = 1;
        double jump = 1;
        for (Window w : chain) {
            size += (w.k() - 1) * jump;
            centre += ((w.k() - 1) / 2.0 - w.p()) * jump;
            jump *= w.s();
        }
        double c = centre + i * jump;
        long lo = Math.round(c - (size - 1) / 2);
        long hi = Math.round(c + (size - 1) / 2);
        return new long[] {lo, lo, hi, hi};
    }

    static List<Window> demoChain(int blocks, boolean lastPool) {
        List<Window> chain = new ArrayList<>();
        for (int b = 0; b < blocks; b++) {
            chain.add(CONV3);
            if (b < blocks - 1 || lastPool) {
                chain.add(POOL2);
            }
        }
        return chain;
    }

    static List<Window> resnetChain(int stages) {
        List<Window> chain = new ArrayList<>(List.of(new Window(7, 2, 3), new Window(3, 2, 1)));
        chain.addAll(Collections.nCopies(4, CONV3));   // layer1: two basic blocks
        for (int s = 2; s <= stages; s++) {
            chain.add(CONV3S2);
            chain.addAll(Collections.nCopies(3, CONV3));
        }
        return chain;
    }

    static void assertField(ExplainableModel m, String layer, List<Window> chain, int width) {
        Layer l = m.resolveLayer(layer);
        ReceptiveField rf = ReceptiveField.of(m, l, m.referenceShape());
        int positions = (int) l.shape()[3];
        for (int i = 0; i < positions; i++) {
            long[] want = analytic(chain, i);
            assertArrayEquals(want, rf.unclipped(i, i, width, width), layer + " neuron " + i);
            ReceptiveField.Box box = rf.box(i, i, width, width);
            assertEquals(new ReceptiveField.Box((int) Math.max(0, want[0]), (int) Math.max(0, want[1]),
                    (int) Math.min(width - 1, want[2]), (int) Math.min(width - 1, want[3])), box, layer + " neuron " + i);
        }
    }

    @Test
    void demoModelFieldsAreTheTextbookOnes() {
        assertField(demo, "block1", demoChain(1, true), 128);
        assertField(demo, "block3", demoChain(3, true), 128);
        assertField(demo, "block4", demoChain(4, false), 128);
        ReceptiveField rf = ReceptiveField.of(demo, demo.resolveLayer("block4"), demo.referenceShape());
        assertArrayEquals(new int[] {38, 38}, rf.size());
        assertArrayEquals(new int[] {8, 8}, rf.jump());
        assertEquals(new ReceptiveField.Box(0, 0, 22, 22), rf.box(0, 0, 128, 128));
        assertEquals(new ReceptiveField.Box(105, 97, 127, 127), rf.box(15, 14, 128, 128));
    }

    @Test
    void resnetFieldsFollowTheLongestPathThroughTheResidualBlocks() {
        assertField(resnet, "maxpool", List.of(new Window(7, 2, 3), new Window(3, 2, 1)), 64);
        assertField(resnet, "layer1", resnetChain(1), 64);
        assertField(resnet, "layer2", resnetChain(2), 64);
        assertField(resnet, "layer2.0.downsample.0", List.of(new Window(7, 2, 3), new Window(3, 2, 1),
                CONV3, CONV3, CONV3, CONV3, new Window(1, 2, 0)), 64);
        assertField(resnet, "layer4", resnetChain(4), 64);
        // torchvision's ResNet-18 at layer4: 435 pixels, 32 apart
        ReceptiveField rf = ReceptiveField.of(resnet, resnet.resolveLayer("layer4"), resnet.referenceShape());
        assertArrayEquals(new int[] {435, 435}, rf.size());
        assertArrayEquals(new int[] {32, 32}, rf.jump());
    }

    /** Property: the plain gradient of one neuron is zero outside its field. */
    @Test
    void aNeuronsGradientStaysInsideItsField() {
        Layer l = demo.resolveLayer("block4");
        ReceptiveField rf = ReceptiveField.of(demo, l, demo.referenceShape());
        try (NDManager run = demo.newRun()) {
            java.util.Random r = new java.util.Random(1);
            float[] x = new float[128 * 128];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextFloat();
            }
            NDArray input = Tensors.of(run, x, new Shape(1, 1, 128, 128));
            float[] seed = new float[64 * 16 * 16];
            int px = 6;
            int py = 9;
            for (int c = 0; c < 64; c++) {
                seed[c * 256 + py * 16 + px] = 1;
            }
            float[] g = Backprop.toInput(demo, run, input, l.output(), Tensors.of(run, seed, new Shape(1, 64, 16, 16)),
                    Backprop.Rule.GRADIENT).toFloatArray();
            ReceptiveField.Box box = rf.box(px, py, 128, 128);
            int inside = 0;
            for (int y = 0; y < 128; y++) {
                for (int xx = 0; xx < 128; xx++) {
                    boolean in = xx >= box.x0() && xx <= box.x1() && y >= box.y0() && y <= box.y1();
                    float v = g[y * 128 + xx];
                    if (!in) {
                        assertEquals(0f, v, "gradient outside the field at " + xx + "," + y);
                    } else if (v != 0) {
                        inside++;
                    }
                }
            }
            assertTrue(inside > 0.5 * box.width() * box.height(), inside + " non-zero pixels inside");
        }
    }

    @Test
    void aPathThroughUpsamplingIsAClearError() {
        try (ExplainableModel unet = ModelLoader.load(TestModels.parityModel("convt_unet", 13), "cpu")) {
            Layer l = LayerChoice.resolve(unet, "auto");
            UserError e = assertThrows(UserError.class, () -> ReceptiveField.of(unet, l, unet.referenceShape()));
            assertTrue(e.getMessage().startsWith("cannot compute the receptive field: ConvTranspose node"),
                    e.getMessage());
        }
    }
}
