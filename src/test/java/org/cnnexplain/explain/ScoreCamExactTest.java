package org.cnnexplain.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The optimised Score-CAM (shared masks, one pass for all constant maps, masks built on the device) gives
 * the maps of the straightforward computation, {@link ReferenceScoreCam}: within 1e-6 of the map's maximum.
 */
class ScoreCamExactTest {

    static Stream<Arguments> models() {
        return Stream.of(Arguments.of("demo", TestModels.DEMO_MODEL, "block4"),
                Arguments.of("resnet18s", TestModels.parityModel("resnet18s", 13), "layer4"),
                Arguments.of("mobilenetv2s", TestModels.parityModel("mobilenetv2s", 17), "features.18"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void mapsAreThoseOfOnePassPerChannel(String name, Path file, String layer) {
        try (ExplainableModel model = ModelLoader.load(file, "cpu"); NDManager run = model.newRun()) {
            NDArray x = ExplainParityTest.input(name, model, run);
            Layer l = LayerChoice.spatial(model, layer, "Score-CAM", x.getShape().getShape());
            float[] expected = new ReferenceScoreCam(16).explain(model, run, x, l, Target.top1()).inputMaps().data();
            float[] got = new ScoreCam().explain(model, run, x, l, Target.top1()).inputMaps().data();
            assertNear(expected, got, name);
        }
    }

    /**
     * Channels made constant (zero and non-zero) and duplicated on purpose, so that every saving is taken:
     * the weights still equal the reference's channel by channel.
     */
    @Test
    void constantAndRepeatedChannelsKeepTheirWeights() {
        try (ExplainableModel model = ModelLoader.load(TestModels.DEMO_MODEL, "cpu"); NDManager run = model.newRun()) {
            NDArray x = ExplainParityTest.input("demo", model, run);
            Layer l = LayerChoice.spatial(model, "block4", "Score-CAM", x.getShape().getShape());
            LayerGradients lg = LayerGradients.activationsOnly(model, run, x, l, Target.top1());
            long[] shape = lg.activations().getShape().getShape();
            int c = (int) shape[1];
            int hw = (int) (shape[2] * shape[3]);
            float[] a = Arrays.copyOf(lg.activations().toFloatArray(), c * hw);
            Arrays.fill(a, 0, hw, 0f);                 // channel 0: zero
            Arrays.fill(a, 3 * hw, 4 * hw, 0.75f);     // channel 3: a non-zero constant
            Arrays.fill(a, 9 * hw, 10 * hw, 2.5f);     // channel 9: another one
            System.arraycopy(a, 5 * hw, a, 6 * hw, hw);    // channels 5, 6, 7 identical
            System.arraycopy(a, 5 * hw, a, 7 * hw, hw);
            CamMethod.Context ctx = new CamMethod.Context(model, run, x, Target.top1(), l);
            CamMethod.Sample s = new CamMethod.Sample(a, null, c, new int[] {(int) shape[2], (int) shape[3]},
                    lg.classes()[0], ctx, 0);
            float[] expected = new ReferenceScoreCam(16).weights(s);
            float[] got = new ScoreCam(5).weights(s);
            assertNear(expected, got, "weights");
            assertTrue(got[5] == got[6] && got[6] == got[7], "identical maps, identical weights");
        }
    }

    static void assertNear(float[] expected, float[] got, String what) {
        double max = 0;
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(expected[i] - got[i]));
        }
        assertTrue(max > 0, what + ": reference is all zero, nothing checked");
        assertTrue(diff <= 1e-6 * max, what + ": max |diff| " + diff + " > 1e-6 x max " + max);
        assertArrayEquals(new int[] {expected.length}, new int[] {got.length});
    }
}
