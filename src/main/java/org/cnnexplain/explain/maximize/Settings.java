package org.cnnexplain.explain.maximize;

import java.util.Locale;
import org.cnnexplain.UserError;

/**
 * How long and how fast the ascent runs, from which noise, and into which range of the model's input.
 *
 * <pre>{@code
 * Settings s = new Settings(128, 0.05, 0, Range.of(0, 1), Regularisers.DEFAULT);
 * }</pre>
 *
 * @param steps        gradient-ascent steps
 * @param rate         Adam's learning rate (on the parameters)
 * @param seed         the seed of the starting noise and of the random warps: the same seed gives the same images
 * @param range        the values the synthesised input may take, in the model's input space (after normalisation)
 * @param regularisers what keeps the image readable
 */
public record Settings(int steps, double rate, long seed, Range range, Regularisers regularisers) {

    public Settings {
        if (steps < 1) {
            throw new UserError("steps must be at least 1, not " + steps);
        }
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new UserError("rate (Adam's learning rate) must be > 0, e.g. 0.05, not " + rate);
        }
    }

    public String describe() {
        return String.format(Locale.ROOT, "%d steps, Adam rate %.3g, seed %d, range %s, %s", steps, rate, seed,
                range.describe(), regularisers.describe());
    }
}
