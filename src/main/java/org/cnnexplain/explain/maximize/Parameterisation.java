package org.cnnexplain.explain.maximize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cnnexplain.graph.Tensors;

/**
 * How the optimised parameters p (N, C, H, W) make the image v before the output range's sigmoid:
 * v = p (pixels), or v = B_y (S ⊙ p) B_xᵀ (Fourier).
 *
 * <p>The Fourier basis is the real orthonormal one — per axis a constant, cos(2πkj/n) and sin(2πkj/n) for
 * 0 &lt; k &lt; n/2, and (−1)^j for even n — which spans what the inverse real FFT of Olah et al. spans, with
 * real coefficients (so no complex tensors and two small matrix products). Coefficient (a, b) has frequency
 * f = √(f_a² + f_b²) in cycles per pixel and is scaled by S = 1 / max(f, 1/max(H, W)), normalised so that
 * unit-variance coefficients make unit-variance pixels: every frequency then moves under a gradient step as
 * much as natural images vary at it, which decorrelates neighbouring pixels. Each input channel has its own
 * coefficients — no colour decorrelation, as microscopy channels are not RGB.
 *
 * <p>Blurring the image v with a Gaussian of σ pixels is, in this basis, multiplying coefficient (a, b) by
 * exp(−2π²σ²f²) (a circular blur); for pixels it is a separable blur with mirrored edges.
 */
abstract class Parameterisation implements AutoCloseable {

    final int channels;
    final int height;
    final int width;

    Parameterisation(int channels, int height, int width) {
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    static Parameterisation of(boolean fourier, NDManager run, int channels, int height, int width) {
        return fourier ? new Fourier(run, channels, height, width) : new Pixels(channels, height, width);
    }

    /** v of the parameters p (N, C, H, W), differentiably; intermediate tensors in p's manager. */
    abstract NDArray image(NDArray p);

    /** Blurs the parameters of {@code n} samples in place so that v is blurred by a Gaussian of σ pixels. */
    abstract void blur(float[] p, int n, double sigma);

    @Override
    public void close() {
    }

    /** v = p. */
    static final class Pixels extends Parameterisation {

        Pixels(int channels, int height, int width) {
            super(channels, height, width);
        }

        @Override
        NDArray image(NDArray p) {
            return p;
        }

        @Override
        void blur(float[] p, int n, double sigma) {
            float[] k = kernel(sigma);
            int plane = height * width;
            float[] tmp = new float[plane];
            for (int s = 0; s < n * channels; s++) {
                int o = s * plane;
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        double sum = 0;
                        for (int d = -k.length + 1; d < k.length; d++) {
                            sum += k[Math.abs(d)] * p[o + y * width + mirror(x + d, width)];
                        }
                        tmp[y * width + x] = (float) sum;
                    }
                }
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        double sum = 0;
                        for (int d = -k.length + 1; d < k.length; d++) {
                            sum += k[Math.abs(d)] * tmp[mirror(y + d, height) * width + x];
                        }
                        p[o + y * width + x] = (float) sum;
                    }
                }
            }
        }

        /** Half of a normalised Gaussian, k[0] the centre, out to 3σ. */
        private static float[] kernel(double sigma) {
            int r = Math.max(1, (int) Math.ceil(3 * sigma));
            float[] k = new float[r + 1];
            double sum = 0;
            for (int i = 0; i <= r; i++) {
                k[i] = (float) Math.exp(-i * i / (2 * sigma * sigma));
                sum += i == 0 ? k[i] : 2 * k[i];
            }
            for (int i = 0; i <= r; i++) {
                k[i] /= (float) sum;
            }
            return k;
        }
    }

    /** v = B_y (S ⊙ p) B_xᵀ. */
    static final class Fourier extends Parameterisation {

        private final NDArray by;
        private final NDArray bxT;
        private final NDArray scale;
        private final double[] fy;
        private final double[] fx;

        Fourier(NDManager run, int channels, int height, int width) {
            super(channels, height, width);
            fy = frequencies(height);
            fx = frequencies(width);
            by = Tensors.of(run, basis(height, false), new Shape(height, height));
            bxT = Tensors.of(run, basis(width, true), new Shape(width, width));
            float[] s = new float[height * width];
            double floor = 1.0 / Math.max(height, width);
            double sumSq = 0;
            for (int a = 0; a < height; a++) {
                for (int b = 0; b < width; b++) {
                    double v = 1.0 / Math.max(Math.hypot(fy[a], fx[b]), floor);
                    s[a * width + b] = (float) v;
                    sumSq += v * v;
                }
            }
            double norm = Math.sqrt(sumSq / (height * width));
            for (int i = 0; i < s.length; i++) {
                s[i] /= (float) norm;
            }
            scale = Tensors.of(run, s, new Shape(height, width));
        }

        @Override
        NDArray image(NDArray p) {
            NDManager m = p.getManager();
            NDArray d = p.mul(Tensors.viewIn(m, scale));
            return Tensors.viewIn(m, by).matMul(d).matMul(Tensors.viewIn(m, bxT));
        }

        @Override
        void blur(float[] p, int n, double sigma) {
            int plane = height * width;
            float[] g = new float[plane];
            for (int a = 0; a < height; a++) {
                for (int b = 0; b < width; b++) {
                    double f2 = fy[a] * fy[a] + fx[b] * fx[b];
                    g[a * width + b] = (float) Math.exp(-2 * Math.PI * Math.PI * sigma * sigma * f2);
                }
            }
            for (int i = 0; i < n * channels * plane; i++) {
                p[i] *= g[i % plane];
            }
        }

        /** Frequency (cycles per pixel) of each basis function of {@link #basis}. */
        static double[] frequencies(int n) {
            double[] f = new double[n];
            for (int k = 1; 2 * k - 1 < n; k++) {
                f[2 * k - 1] = k / (double) n;
                if (2 * k < n) {
                    f[2 * k] = k / (double) n;
                }
            }
            return f;
        }

        /**
         * The n × n real orthonormal Fourier basis, pixel j by basis function (column): a constant, then
         * cos and sin pairs of rising frequency, then (−1)^j for even n; transposed when asked.
         */
        static float[] basis(int n, boolean transposed) {
            float[] b = new float[n * n];
            for (int j = 0; j < n; j++) {
                for (int col = 0; col < n; col++) {
                    double v;
                    if (col == 0) {
                        v = 1 / Math.sqrt(n);
                    } else if (n % 2 == 0 && col == n - 1) {
                        v = (j % 2 == 0 ? 1 : -1) / Math.sqrt(n);
                    } else {
                        int k = (col + 1) / 2;
                        double angle = 2 * Math.PI * k * j / n;
                        v = Math.sqrt(2.0 / n) * (col % 2 == 1 ? Math.cos(angle) : Math.sin(angle));
                    }
                    b[transposed ? col * n + j : j * n + col] = (float) v;
                }
            }
            return b;
        }
    }

    static int mirror(int i, int n) {
        int m = Math.floorMod(i, 2 * n);
        return m < n ? m : 2 * n - 1 - m;
    }
}
