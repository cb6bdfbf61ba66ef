package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.cnnexplain.model.ExplainableModel;

/**
 * Guided Grad-CAM (Selvaraju et al. 2017): guided backpropagation of the target
 * class, times the Grad-CAM map (of any variant) upsampled to the input.
 * Sharp like guided backprop, class-discriminative like Grad-CAM. Keeps the input's channels.
 */
public final class GuidedGradCam {

    private GuidedGradCam() {
    }

    /** Guided Grad-CAM of sample 0 of {@code input}; {@code cam} is that sample's CAM result. */
    public static MapStack of(ExplainableModel model, NDManager run, NDArray input, CamResult cam, Target target) {
        Target fixed = target.forClass(cam.classes()[0]);
        MapStack guided = Deconvnet.project(model, run, input, null, Backprop.Rule.GUIDED, null, 1,
                Deconvnet.Signal.CLASS, fixed);
        float[] g = guided.data();                    // one map per input channel: planes, or volumes for a 3-D model
        float[] m = cam.inputMaps().data();           // one map, the same for every channel
        float[] out = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            out[i] = g[i] * m[i % m.length];
        }
        return MapStack.perChannel(out, 1, guided.channels(), new int[] {guided.depth(), guided.height(),
                guided.width()}, List.of("guided " + cam.method() + " " + cam.inputMaps().labels().get(0)));
    }
}
