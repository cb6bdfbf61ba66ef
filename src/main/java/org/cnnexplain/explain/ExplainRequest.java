package org.cnnexplain.explain;

import java.util.Locale;
import org.cnnexplain.UserError;

/**
 * What to explain, as the CLI and the Fiji commands ask for it. Parameter
 * names are those of the user interface (DESIGN.md §1).
 *
 * @param method   featuremaps, deconvnet, cam or gradcam
 * @param layer    node name, output name, module path, or {@code auto}
 * @param target   class index, class name or {@code top1}
 * @param score    {@code logit} or {@code probability}
 * @param variant  Grad-CAM family member (gradcam method only)
 * @param guided   also compute Guided Grad-CAM (gradcam method only)
 * @param rule     deconvnet, guided or gradient (deconvnet method only)
 * @param channels 0-based channels, or null
 * @param top      how many channels when none are listed (deconvnet; feature maps: all when 0)
 * @param signal   peak, channel or class (deconvnet method only)
 * @param sort     none, mean or max (feature maps)
 * @param batch    Score-CAM's masked inputs per forward pass
 * @param region   where a segmentation model's class output is summed (its ROI), or null
 * @param smoothing Smooth Grad-CAM++'s copies, SmoothGrad, augmentation, eigensmooth ({@link Smoothing#NONE}: off)
 */
public record ExplainRequest(Method method, String layer, String target, String score, String variant,
                             boolean guided, Backprop.Rule rule, int[] channels, int top, Deconvnet.Signal signal,
                             String sort, int batch, Region region, Smoothing smoothing) {

    /** A request without a region or smoothing. */
    public ExplainRequest(Method method, String layer, String target, String score, String variant, boolean guided,
                          Backprop.Rule rule, int[] channels, int top, Deconvnet.Signal signal, String sort, int batch) {
        this(method, layer, target, score, variant, guided, rule, channels, top, signal, sort, batch, null,
                Smoothing.NONE);
    }

    /** The same request with its class output summed over {@code r}. */
    public ExplainRequest withRegion(Region r) {
        return new ExplainRequest(method, layer, target, score, variant, guided, rule, channels, top, signal, sort,
                batch, r, smoothing);
    }

    /** The same request smoothed as {@code s} says. */
    public ExplainRequest withSmoothing(Smoothing s) {
        return new ExplainRequest(method, layer, target, score, variant, guided, rule, channels, top, signal, sort,
                batch, region, s);
    }

    /** The same request for another target ({@code top1}, a class index or name). */
    public ExplainRequest withTarget(String t) {
        return new ExplainRequest(method, layer, t, score, variant, guided, rule, channels, top, signal, sort, batch,
                region, smoothing);
    }

    /** The same request projecting {@code s} (Deconvnet). */
    public ExplainRequest withSignal(Deconvnet.Signal s) {
        return new ExplainRequest(method, layer, target, score, variant, guided, rule, channels, top, s, sort, batch,
                region, smoothing);
    }

    /** The target this request explains. */
    public Target targetScore() {
        Target t = Target.parse(target, score);
        return region == null ? t : t.within(region);
    }

    public enum Method {
        FEATUREMAPS, DECONVNET, CAM, GRADCAM;

        public static Method parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UserError("unknown method '" + s + "' (valid: featuremaps, deconvnet, cam, gradcam)");
            }
        }
    }

    /** Defaults for {@code method}: layer auto, target top1, logit, gradcam, deconvnet rule, top 8, peak. */
    public static ExplainRequest defaults(Method method) {
        return new ExplainRequest(method, LayerChoice.AUTO, Target.TOP1, "logit", "gradcam", false,
                Backprop.Rule.DECONVNET, null, method == Method.DECONVNET ? 8 : 0, Deconvnet.Signal.PEAK, "none", ScoreCam.DEFAULT_BATCH);
    }

    /** "3,5,10-12" → {3, 5, 10, 11, 12}. */
    public static int[] parseChannels(String list) {
        if (list == null || list.isBlank()) {
            return null;
        }
        try {
            java.util.List<Integer> out = new java.util.ArrayList<>();
            for (String part : list.split(",")) {
                String p = part.trim();
                int dash = p.indexOf('-', 1);
                if (dash > 0) {
                    int a = Integer.parseInt(p.substring(0, dash).trim());
                    int b = Integer.parseInt(p.substring(dash + 1).trim());
                    for (int i = a; i <= b; i++) {
                        out.add(i);
                    }
                } else {
                    out.add(Integer.parseInt(p));
                }
            }
            return out.stream().mapToInt(Integer::intValue).toArray();
        } catch (NumberFormatException e) {
            throw new UserError("channels '" + list + "' is not a list like 0,3,5-8 (0-based channel numbers)");
        }
    }
}
