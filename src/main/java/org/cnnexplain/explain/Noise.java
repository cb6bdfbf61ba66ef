package org.cnnexplain.explain;

import java.util.SplittableRandom;

/**
 * Gaussian input noise for the methods that average over noisy copies (Smooth Grad-CAM++, SmoothGrad),
 * with σ relative to the input's range as Smilkov et al. set it: σ = noise · (max − min) of the
 * (normalised) model input of that sample. For a 16-bit image under percentile normalisation the
 * range is that of the normalised image (about 0 to 1, more where pixels lie outside the percentiles),
 * so noise=0.15 means 15 % of the dynamic range the model sees, whatever the camera's bit depth.
 *
 * <p>The draws are reproducible: copy {@code k} of a run with seed {@code s} always gets the same
 * standard normal values (a {@link SplittableRandom} seeded from s and k).
 *
 * <pre>{@code
 * float[] x = ...;                                       // one sample, C·H·W
 * float[] copies = Noise.copies(x, 0, 0, 8, 0.15, Noise.gaussian(42));   // 8·C·H·W
 * }</pre>
 */
public final class Noise {

    /** Standard normal values for noisy copy {@code copy} of batch sample {@code sample}; tests feed PyTorch's draws. */
    @FunctionalInterface
    interface Source {
        float[] standardNormal(int sample, int copy, int length);
    }

    private Noise() {
    }

    /** The default source: independent normal draws per copy, fixed by {@code seed}. */
    static Source gaussian(long seed) {
        return (sample, copy, length) -> {
            SplittableRandom r = new SplittableRandom((seed * 1_000_003L + sample) * 1_000_003L + copy);
            float[] out = new float[length];
            for (int i = 0; i < length; i++) {
                out[i] = (float) r.nextGaussian();
            }
            return out;
        };
    }

    /** noise · (max − min) of x. */
    public static double sigma(float[] x, double noise) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return noise * (max - min);
    }

    /** {@code n} copies of sample x, copy k being x + σ·ε_k with σ = {@link #sigma}; copies {@code from}.. of the source. */
    static float[] copies(float[] x, int sample, int from, int n, double noise, Source source) {
        double sigma = sigma(x, noise);
        float[] out = new float[n * x.length];
        for (int k = 0; k < n; k++) {
            float[] eps = sigma == 0 ? null : source.standardNormal(sample, from + k, x.length);
            for (int i = 0; i < x.length; i++) {
                out[k * x.length + i] = eps == null ? x[i] : (float) (x[i] + sigma * eps[i]);
            }
        }
        return out;
    }
}
