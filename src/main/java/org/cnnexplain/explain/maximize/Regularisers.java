package org.cnnexplain.explain.maximize;

import java.util.Locale;
import org.cnnexplain.UserError;

/**
 * What keeps a synthesised image readable rather than adversarial noise (Olah et al. 2017 §
 * "Regularization"). Each step the model sees the image through a random warp — shifted by up to
 * {@code jitter} pixels, scaled by a factor in [1 − {@code scaling}, 1 + {@code scaling}] and turned by up to
 * ± {@code rotation} degrees — so only patterns that survive small moves pay off. The objective is
 * penalised by {@code decay}·mean(u²) (L2 decay towards the dark end of the range) and {@code tv}·mean(|∇u|)
 * (total variation), u being the image scaled to [0, 1] by the output range. Every {@code blurevery}
 * steps the image parameters are blurred with a Gaussian of σ = {@code blur} pixels. With {@code fourier}
 * the image is parameterised in a decorrelated Fourier basis ({@link Parameterisation}): each frequency's
 * coefficient scaled by 1/frequency, so that a gradient step changes coarse structure as readily as fine.
 *
 * <pre>{@code
 * Regularisers r = Regularisers.DEFAULT.withTv(0.05);
 * }</pre>
 *
 * @param jitter    largest random shift, pixels (0 = off)
 * @param scaling   largest relative random scaling, e.g. 0.1 for ±10 % (0 = off)
 * @param rotation  largest random rotation, degrees (0 = off)
 * @param decay     L2 decay weight (0 = off)
 * @param tv        total-variation weight (0 = off)
 * @param blur      σ of the Gaussian blur of the parameters, pixels (0 = off)
 * @param blurevery blur every this many steps
 * @param fourier   decorrelated Fourier-space parameterisation (else plain pixels)
 */
public record Regularisers(int jitter, double scaling, double rotation, double decay, double tv, double blur,
                           int blurevery, boolean fourier) {

    public static final Regularisers DEFAULT = new Regularisers(4, 0.1, 10, 0.0, 0.05, 0.5, 4, true);

    /** Nothing: the image as the parameters make it, the objective alone (gradient checks). */
    public static final Regularisers NONE = new Regularisers(0, 0, 0, 0, 0, 0, 1, false);

    public Regularisers {
        check(jitter >= 0, "jitter must be ≥ 0 pixels, not " + jitter);
        check(scaling >= 0 && scaling < 1, "scaling must be in [0, 1) (e.g. 0.1 for ±10 %), not " + scaling);
        check(rotation >= 0 && rotation <= 180, "rotation must be in [0, 180] degrees, not " + rotation);
        check(decay >= 0 && Double.isFinite(decay), "decay must be ≥ 0, not " + decay);
        check(tv >= 0 && Double.isFinite(tv), "tv must be ≥ 0, not " + tv);
        check(blur >= 0 && Double.isFinite(blur), "blur must be ≥ 0 pixels, not " + blur);
        check(blurevery >= 1, "blurevery must be at least 1 step, not " + blurevery);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new UserError(message);
        }
    }

    public Regularisers withTv(double value) {
        return new Regularisers(jitter, scaling, rotation, decay, value, blur, blurevery, fourier);
    }

    public Regularisers withFourier(boolean value) {
        return new Regularisers(jitter, scaling, rotation, decay, tv, blur, blurevery, value);
    }

    /** Whether the model sees a warped image (else the image itself). */
    boolean warps() {
        return jitter > 0 || scaling > 0 || rotation > 0;
    }

    /** What the log says, so that a run can be repeated. */
    public String describe() {
        return String.format(Locale.ROOT, "%s, jitter %d px, scaling ±%.3g, rotation ±%.3g°, decay %.3g, tv %.3g, "
                + "blur σ %.3g px every %d steps", fourier ? "fourier" : "pixels", jitter, scaling, rotation, decay, tv,
                blur, blurevery);
    }
}
