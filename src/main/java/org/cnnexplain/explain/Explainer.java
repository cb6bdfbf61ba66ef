package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;

/**
 * Runs an {@link ExplainRequest} on one sample and names the results: the one
 * entry point the CLI and the Fiji commands share.
 *
 * <pre>{@code
 * ExplainRequest req = ExplainRequest.defaults(ExplainRequest.Method.GRADCAM);
 * List<Explanation> out = Explainer.run(model, run, x, req);   // [gradcam]
 * }</pre>
 */
public final class Explainer {

    private Explainer() {
    }

    public static List<Explanation> run(ExplainableModel model, NDManager run, NDArray input, ExplainRequest r) {
        NDArray x = input.get(0).expandDims(0);
        Target target = r.targetScore();
        List<Explanation> out = new ArrayList<>();
        switch (r.method()) {
            case FEATUREMAPS -> {
                FeatureMaps.Result fm = FeatureMaps.compute(model, run, x, r.layer(), r.channels(), r.sort());
                MapStack maps = fm.maps();
                MapStack in = fm.inputMaps();
                if (r.channels() == null && r.top() > 0 && r.top() < maps.count()) {
                    maps = maps.first(r.top());
                    in = in.first(r.top());
                }
                out.add(new Explanation("featuremaps", "Feature Maps (" + shortName(fm.layer()) + ")", in, maps));
            }
            case DECONVNET -> {
                Layer l = r.signal() == Deconvnet.Signal.CLASS ? null : LayerChoice.spatial(model, r.layer(), "Deconvnet");
                Smoothing s = r.smoothing();
                MapStack m = s.averages()
                        ? SmoothGrad.backprop(model, run, x, l == null ? null : l.name(), r.rule(), r.channels(),
                                Math.max(1, r.top()), r.signal(), target, s)
                        : Deconvnet.project(model, run, x, l == null ? null : l.name(), r.rule(), r.channels(),
                                Math.max(1, r.top()), r.signal(), target);
                String where = l == null ? "class" : shortName(l);
                out.add(new Explanation(r.rule().fileName(), title(r.rule()) + " (" + where + ")", m, null));
            }
            case CAM -> {
                CamResult c = new Cam().explain(model, run, x, r.layer(), target);
                out.add(cam(c, "cam", ""));
            }
            case GRADCAM -> {
                CamMethod m = CamVariants.byName(r.variant(), r.batch(), r.smoothing());
                CamResult c = r.smoothing().averages()
                        ? SmoothGrad.cam(m, r.smoothing(), model, run, x, r.layer(), target)
                        : m.explain(model, run, x, r.layer(), target);
                out.add(cam(c, m.name(), describe(m, r.smoothing())));
                if (r.guided()) {
                    MapStack g = GuidedGradCam.of(model, run, x, c, target);
                    out.add(new Explanation("guided" + m.name(), "Guided " + c.method() + " (" + shortName(c.layer())
                            + ", class " + c.inputMaps().labels().get(0) + ")", g, null));
                }
            }
            default -> throw new IllegalStateException(r.method().toString());
        }
        return out;
    }

    /** What a title adds so that a smoothed run can be repeated: copies, noise and seed. */
    private static String describe(CamMethod m, Smoothing s) {
        String copies = m instanceof SmoothGradCamPlusPlus
                ? String.format(java.util.Locale.ROOT, "%d copies × noise %.3g, seed %d", s.samples(), s.noise(), s.seed())
                : "";
        String rest = s.averages() ? "" : s.describe();   // a SmoothGrad label says it already
        return copies.isEmpty() && rest.isEmpty() ? "" : " [" + copies + (copies.isEmpty() || rest.isEmpty() ? "" : ", ")
                + rest + "]";
    }

    private static Explanation cam(CamResult c, String key, String how) {
        String title = c.method() + how + " (" + shortName(c.layer()) + ", class " + c.inputMaps().labels().get(0) + ")";
        return new Explanation(key, title, c.inputMaps(), c.layerMaps());
    }

    private static String title(Backprop.Rule rule) {
        return switch (rule) {
            case DECONVNET -> "Deconvnet";
            case GUIDED -> "Guided backprop";
            case GRADIENT -> "Gradient";
        };
    }

    /** "/block4/block4.2/Relu" → "block4.2/Relu": enough to recognise it in a title. */
    static String shortName(Layer l) {
        String[] parts = l.name().split("/");
        return parts.length >= 2 ? parts[parts.length - 2] + "/" + parts[parts.length - 1] : l.name();
    }
}
