package org.cnnexplain.image;

import java.util.Arrays;
import java.util.Locale;
import org.cnnexplain.UserError;
import org.cnnexplain.model.ModelSpec;

/**
 * Scales the pixels of one sample, channel by channel, the way the model saw
 * them in training.
 *
 * <ul>
 *   <li>{@code none}: values as they are;</li>
 *   <li>{@code minmax}: (x - min) / (max - min);</li>
 *   <li>{@code percentile}: (x - p_low) / (p_high - p_low), default low 1 %, high 99.8 %,
 *       percentiles interpolated linearly (numpy's default);</li>
 *   <li>{@code zscore}: (x - mean) / std;</li>
 *   <li>{@code fixed}: (x * scale - mean_c) / std_c with the spec's constants;</li>
 *   <li>{@code model}: whatever the model's spec file says (the default); {@code none} without a spec;
 *       for a bioimage.io package its {@code preprocessing} steps (see {@link Preprocessing}).</li>
 * </ul>
 */
public final class Normalization {

    public static final String MODES = "model, none, minmax, percentile, zscore";

    private final String mode;
    private final double low;
    private final double high;
    private final double[] mean;
    private final double[] std;
    private final double scale;
    private Preprocessing steps;

    private Normalization(String mode, double low, double high, double[] mean, double[] std, double scale) {
        this.mode = mode;
        this.low = low;
        this.high = high;
        this.mean = mean;
        this.std = std;
        this.scale = scale;
    }

    /** The normalisation for a user's {@code normalize} choice and the model's spec (may be null). */
    public static Normalization of(String choice, ModelSpec spec) {
        String c = choice == null ? "model" : choice.trim().toLowerCase(Locale.ROOT);
        if (c.equals("model") && spec != null && spec.preprocessing() != null) {
            Normalization package_ = new Normalization("bioimage.io", 0, 0, null, null, 1);
            package_.steps = Preprocessing.of(spec.preprocessing());
            return package_;
        }
        if (c.equals("model")) {
            ModelSpec.Normalize n = spec == null ? null : spec.normalize();
            if (n == null || n.mode() == null) {
                return simple("none");
            }
            String m = n.mode().toLowerCase(Locale.ROOT);
            if (m.equals("fixed")) {
                if (n.mean() == null || n.std() == null || n.mean().length != n.std().length) {
                    throw new UserError("model spec: normalize mode 'fixed' needs mean and std lists of equal length");
                }
                return new Normalization(m, 0, 0, n.mean(), n.std(), n.scale() == null ? 1 : n.scale());
            }
            Normalization base = simple(m);
            if (m.equals("percentile")) {
                return new Normalization(m, n.low() == null ? 1.0 : n.low(), n.high() == null ? 99.8 : n.high(),
                        null, null, 1);
            }
            return base;
        }
        return simple(c);
    }

    private static Normalization simple(String mode) {
        return switch (mode) {
            case "none", "minmax", "zscore" -> new Normalization(mode, 0, 0, null, null, 1);
            case "percentile" -> new Normalization(mode, 1.0, 99.8, null, null, 1);
            default -> throw new UserError("unknown normalisation mode '" + mode + "' (valid: " + MODES + ")");
        };
    }

    public String describe() {
        if (steps != null) {
            return "bioimage.io preprocessing (" + steps.describe() + ")";
        }
        return mode.equals("percentile") ? String.format(Locale.ROOT, "percentile %.1f-%.1f %%", low, high) : mode;
    }

    /**
     * Normalises one sample in place: {@code channels} x {@code size} values of {@code data} from
     * {@code offset}, channel-major. A package's steps see the whole sample (some take statistics
     * over all channels); the other modes go channel by channel.
     */
    public void apply(float[] data, int offset, int channels, int size) {
        if (steps != null) {
            steps.apply(data, offset, channels, size);
            return;
        }
        if (channels == 1 && offset == 0 && data.length == size) {
            apply(data, 0);   // in place: no second copy of a large field
            return;
        }
        for (int c = 0; c < channels; c++) {
            int from = offset + c * size;
            float[] plane = Arrays.copyOfRange(data, from, from + size);
            apply(plane, c);
            System.arraycopy(plane, 0, data, from, size);
        }
    }

    /** Normalises {@code plane} (one channel of one sample) in place; {@code channel} selects fixed constants. */
    public void apply(float[] plane, int channel) {
        switch (mode) {
            case "bioimage.io" -> steps.apply(plane, 0, 1, plane.length);
            case "none" -> { }
            case "minmax" -> {
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                for (float v : plane) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                rescale(plane, (float) min, (float) max);
            }
            case "percentile" -> {
                float[] sorted = plane.clone();
                Arrays.sort(sorted);
                rescale(plane, percentile(sorted, low), percentile(sorted, high));
            }
            case "zscore" -> {
                double sum = 0;
                for (float v : plane) {
                    sum += v;
                }
                double m = sum / plane.length;
                double sq = 0;
                for (float v : plane) {
                    sq += (v - m) * (v - m);
                }
                float s = (float) Math.max(Math.sqrt(sq / plane.length), 1e-6);
                for (int i = 0; i < plane.length; i++) {
                    plane[i] = (plane[i] - (float) m) / s;
                }
            }
            case "fixed" -> {
                int k = mean.length == 1 ? 0 : channel;
                if (k >= mean.length) {
                    throw new UserError("model spec: fixed normalisation has " + mean.length
                            + " mean values but the model input has more channels");
                }
                for (int i = 0; i < plane.length; i++) {
                    plane[i] = (float) ((plane[i] * scale - mean[k]) / std[k]);
                }
            }
            default -> throw new IllegalStateException(mode);
        }
    }

    /**
     * Whether the scaling depends on the image's own statistics (minmax, percentile, zscore, a package's
     * scale_range or zero_mean_unit_variance): then a normalised value maps back to raw intensities only
     * through some image's statistics.
     */
    public boolean usesImageStatistics() {
        return steps != null ? steps.usesImageStatistics()
                : mode.equals("minmax") || mode.equals("percentile") || mode.equals("zscore");
    }

    /**
     * {gain, offset} with normalised = gain · raw + offset for {@code plane} (raw pixels of input channel
     * {@code channel}), or null when the normalisation is not affine there (a clip, a sigmoid, a constant
     * plane). For a normalisation that {@link #usesImageStatistics() uses no image statistics} any plane
     * gives the same answer.
     *
     * <pre>{@code
     * Normalization.of("percentile", null).affine(plane, 0);   // {1 / (p99.8 − p1), −p1 / (p99.8 − p1)}
     * }</pre>
     */
    public double[] affine(float[] plane, int channel) {
        int lo = 0;
        int hi = 0;
        for (int i = 1; i < plane.length; i++) {
            lo = plane[i] < plane[lo] ? i : lo;
            hi = plane[i] > plane[hi] ? i : hi;
        }
        if (!(plane[hi] > plane[lo])) {
            return null;
        }
        float[] n = plane.clone();
        apply(n, channel);
        double gain = ((double) n[hi] - n[lo]) / ((double) plane[hi] - plane[lo]);
        double offset = n[lo] - gain * plane[lo];
        for (int i = 0; i < plane.length; i++) {
            double expected = gain * plane[i] + offset;
            if (Math.abs(n[i] - expected) > 1e-4 * (1 + Math.abs(expected))) {
                return null;
            }
        }
        return gain != 0 && Double.isFinite(gain) ? new double[] {gain, offset} : null;
    }

    /**
     * The interval of normalised values that in-range pixels of channel {@code channel} take: [0, 1] for
     * minmax, percentile (pixels beyond the percentiles go a little past it), none and a package's steps;
     * [−1, 3] for zscore (a dim background about one standard deviation below the mean, the brightest
     * structures a few above); for fixed, raw [0, 1/scale] normalised (0 to 255 for scale 1/255).
     */
    public double[] nominalRange(int channel) {
        return switch (mode) {
            case "zscore" -> new double[] {-1, 3};
            case "fixed" -> {
                int k = mean.length == 1 ? 0 : Math.min(channel, mean.length - 1);
                yield new double[] {(0 - mean[k]) / std[k], (1 - mean[k]) / std[k]};
            }
            default -> new double[] {0, 1};
        };
    }

    private static void rescale(float[] plane, float lo, float hi) {
        float range = Math.max(hi - lo, 1e-6f);
        for (int i = 0; i < plane.length; i++) {
            plane[i] = (plane[i] - lo) / range;
        }
    }

    /** numpy.percentile's default ("linear"): interpolate between the two nearest ranks. */
    static float percentile(float[] sorted, double percent) {
        double pos = percent / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double frac = pos - lo;
        return (float) (sorted[lo] + frac * (sorted[hi] - sorted[lo]));
    }
}
