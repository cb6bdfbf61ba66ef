package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.InputPadding;
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

    /**
     * A model that takes only multiples of a size gets the sample mirrored out to the next one
     * ({@link InputPadding}) and every map cropped back to the image; a segmentation target then
     * sums only over the image (its ROI, else all of it), never over the padding.
     */
    public static List<Explanation> run(ExplainableModel model, NDManager run, NDArray input, ExplainRequest r) {
        NDArray x = input.get(0).expandDims(0);
        InputPadding padding = InputPadding.of(model, x.getShape().getShape());
        if (padding.none()) {
            return explain(model, run, x, r, r.targetScore());
        }
        long[] in = padding.original();
        long[] to = padding.padded();
        int w = (int) in[in.length - 1];
        int h = (int) in[in.length - 2];
        Target target = r.targetScore();
        if (model.hasSpatialOutput() && to.length == 4) {
            Region region = target.region() != null ? target.region() : Region.image(w, h);
            target = target.within(region.grownTo((int) to[3], (int) to[2]));
        }
        List<Explanation> out = new ArrayList<>();
        for (Explanation e : explain(model, run, padding.pad(x), r, target)) {
            out.add(new Explanation(e.key(), e.title(), crop(e.inputMaps(), padding),
                    e.layerMaps() == null ? null : crop(e.layerMaps(), padding)));
        }
        return out;
    }

    /**
     * Explains every sample of {@code input} (N, C, ...): in one batched pass where the method takes a
     * batch as it is (CAM and the Grad-CAM family, unsmoothed and without Guided Grad-CAM, on an input
     * the model takes without padding), else sample by sample through {@link #run}. The results are the
     * same either way; a batched pass also returns each sample's scores ({@link Explanation#scores()}).
     */
    public static List<List<Explanation>> runEach(ExplainableModel model, NDManager run, NDArray input,
                                                  ExplainRequest r) {
        int n = (int) input.getShape().get(0);
        boolean batched = (r.method() == ExplainRequest.Method.CAM || r.method() == ExplainRequest.Method.GRADCAM
                && !r.guided() && !r.smoothing().averages())
                && InputPadding.of(model, input.getShape().getShape()).none();
        List<List<Explanation>> out = new ArrayList<>();
        if (!batched) {
            for (int i = 0; i < n; i++) {
                out.add(run(model, run, input.get(i).expandDims(0), r));
            }
            return out;
        }
        List<Explanation> all = explain(model, run, input, r, r.targetScore());
        for (int i = 0; i < n; i++) {
            List<Explanation> one = new ArrayList<>();
            for (Explanation e : all) {
                float[] scores = null;
                if (e.scores() != null) {
                    int k = e.scores().length / n;
                    scores = java.util.Arrays.copyOfRange(e.scores(), i * k, (i + 1) * k);
                }
                MapStack in = e.inputMaps().part(i, 1);
                one.add(new Explanation(e.key(), retitle(e.title(), e.inputMaps().labels().get(0), in.labels().get(0)),
                        in, e.layerMaps() == null ? null : e.layerMaps().part(i, 1), scores));
            }
            out.add(one);
        }
        return out;
    }

    /** A batch's title names the class of its first sample: sample i's names its own. */
    private static String retitle(String title, String first, String own) {
        return first.equals(own) ? title : title.replace("class " + first + ")", "class " + own + ")");
    }

    private static MapStack crop(MapStack m, InputPadding padding) {
        long[] keep = padding.original().length == 5
                ? padding.keep(new long[] {m.depth(), m.height(), m.width()})
                : padding.keep(new long[] {m.height(), m.width()});
        int n = keep.length;
        return m.cropped(n == 3 ? (int) keep[0] : m.depth(), (int) keep[n - 2], (int) keep[n - 1]);
    }

    private static List<Explanation> explain(ExplainableModel model, NDManager run, NDArray x, ExplainRequest r,
                                             Target target) {
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
                Layer l = r.signal() == Deconvnet.Signal.CLASS ? null : LayerChoice.spatial(model, r.layer(), "Deconvnet", x.getShape().getShape());
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
        return new Explanation(key, title, c.inputMaps(), c.layerMaps(), c.scores());
    }

    private static String title(Backprop.Rule rule) {
        return switch (rule) {
            case DECONVNET -> "Deconvnet";
            case GUIDED -> "Guided backprop";
            case GRADIENT -> "Gradient";
        };
    }

    /** "/block4/block4.2/Relu" → "block4.2/Relu": enough to recognise it in a title. */
    public static String shortName(Layer l) {
        String[] parts = l.name().split("/");
        return parts.length >= 2 ? parts[parts.length - 2] + "/" + parts[parts.length - 1] : l.name();
    }
}
