package org.cnnexplain.explain;

import java.util.Locale;
import org.cnnexplain.UserError;

/**
 * How a map is smoothed, with the user-interface names of its parameters.
 *
 * @param samples     Smooth Grad-CAM++'s noisy copies (variant smoothgradcampp only)
 * @param smoothgrad  SmoothGrad (Smilkov et al. 2017): the map is the mean over this many noisy copies
 *                    (0 = off); for the Grad-CAM family, gradient, guided backprop and deconvnet
 * @param noise       σ of the noise as a fraction of the input's range (see {@link Noise})
 * @param augment     also average over the 8 flips and 90° turns of the input, each map turned back
 * @param eigensmooth CAM variants: the first principal component of the weighted activations instead of
 *                    their sum (pytorch-grad-cam's eigen_smooth)
 * @param seed        the noise's seed; the same seed gives the same maps
 */
public record Smoothing(int samples, int smoothgrad, double noise, boolean augment, boolean eigensmooth, long seed) {

    public static final Smoothing NONE = new Smoothing(8, 0, 0.15, false, false, 0);

    public Smoothing {
        if (samples < 1) {
            throw new UserError("samples must be at least 1 (Smooth Grad-CAM++'s noisy copies), not " + samples);
        }
        if (smoothgrad < 0) {
            throw new UserError("smoothgrad must be 0 (off) or a number of noisy copies, not " + smoothgrad);
        }
        if (!(noise >= 0) || Double.isInfinite(noise)) {
            throw new UserError("noise must be a fraction of the input's range ≥ 0 (e.g. 0.15), not " + noise);
        }
    }

    /** Whether anything beyond the plain method runs: SmoothGrad copies or augmentation. */
    public boolean averages() {
        return smoothgrad > 0 || augment;
    }

    /** What the log says, so that a run can be repeated: e.g. "smoothgrad 16 × noise 0.15, seed 0". */
    public String describe() {
        StringBuilder b = new StringBuilder();
        if (smoothgrad > 0) {
            b.append(String.format(Locale.ROOT, "smoothgrad %d × noise %.3g, seed %d", smoothgrad, noise, seed));
        }
        if (augment) {
            b.append(b.length() > 0 ? ", " : "").append("augment (8 flips and turns)");
        }
        if (eigensmooth) {
            b.append(b.length() > 0 ? ", " : "").append("eigensmooth");
        }
        return b.toString();
    }
}
