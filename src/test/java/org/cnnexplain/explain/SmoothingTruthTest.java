package org.cnnexplain.explain;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The smoothed maps on the demo truth set of {@link DemoTruthSet} (pointing game and energy;
 * no deletion curves, to keep it quick): they point at the class-defining object at least as often as
 * the plain maps. Prints the rows of the README's table.
 */
class SmoothingTruthTest {

    static DemoTruthSet demo;

    @BeforeAll
    static void load() throws Exception {
        demo = new DemoTruthSet();
    }

    @AfterAll
    static void close() {
        demo.close();
    }

    static DemoTruthSet.Scores scores(String name, DemoTruthSet.Explains method) {
        DemoTruthSet.Scores s = demo.evaluate(method);
        System.out.println(s.row(name));
        return s;
    }

    /**
     * Smooth Grad-CAM++ (8 copies, noise 0.15) beside Grad-CAM++. At block4 it equals Grad-CAM++ (the
     * gradient before a linear head does not depend on the input); block3 is where the noise acts.
     */
    @Test
    void smoothGradCamPlusPlusPointsLikeGradCamPlusPlus() {
        for (String layer : List.of("block4", "block3")) {
            DemoTruthSet.Scores plain = scores("gradcampp@" + layer, (run, x) ->
                    new GradCamPlusPlus().explain(demo.model, run, x, layer, Target.top1()));
            DemoTruthSet.Scores smooth = scores("smoothgradcampp@" + layer, (run, x) ->
                    new SmoothGradCamPlusPlus(8, 0.15, 0).explain(demo.model, run, x, layer,
                            Target.top1()));
            assertTrue(smooth.pointing() >= 0.9 && smooth.pointing() >= plain.pointing() - 1e-9,
                    smooth.row("smoothgradcampp") + " vs " + plain.row("gradcampp"));
        }
    }

    /**
     * SmoothGrad (8 noisy copies), augmentation (8 orientations) and eigensmooth of Grad-CAM point no worse.
     * The noise is 1 % of the range: the demo model does not survive more (its p(mitotic) on the first
     * mitotic image falls from 0.97 to 0.25 at 2 % and to 1e-15 at 5 %; at the default 15 % every
     * block4 map is zero and the pointing game 0/45), so SmoothGrad needs a noise level the model was
     * trained to tolerate.
     */
    @Test
    void smoothedGradCamPointsNoWorse() {
        for (String layer : List.of("block4")) {
            DemoTruthSet.Scores plain = scores("gradcam@" + layer, (run, x) ->
                    new GradCam().explain(demo.model, run, x, layer, Target.top1()));
            for (Smoothing s : List.of(new Smoothing(8, 8, 0.01, false, false, 0),
                    new Smoothing(8, 0, 0.15, true, false, 0), new Smoothing(8, 0, 0.15, false, true, 0))) {
                String name = s.describe().split(" ")[0] + "@" + layer;
                DemoTruthSet.Scores smooth = scores(name, (run, x) -> SmoothGrad.cam(
                        new GradCam().eigenSmooth(s.eigensmooth()), s, demo.model, run, x, layer,
                        Target.top1()));
                assertTrue(smooth.pointing() >= plain.pointing() - 1e-9, smooth.row(name) + " vs " + plain.row("gradcam"));
            }
        }
    }
}
