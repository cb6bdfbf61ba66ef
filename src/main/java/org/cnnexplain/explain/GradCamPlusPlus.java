package org.cnnexplain.explain;

/**
 * Grad-CAM++ (Chattopadhay et al. 2018), in the closed form for an exponential
 * output that pytorch-grad-cam uses:
 * alpha = g² / (2 g² + sum_ij(A) g³ + eps), zero where g = 0;
 * w_k = sum over positions of alpha · ReLU(g).
 */
public class GradCamPlusPlus extends CamMethod {

    private static final double EPS = 1e-6;

    @Override
    public String name() {
        return "gradcampp";
    }

    @Override
    public String title() {
        return "Grad-CAM++";
    }

    @Override
    protected float[] weights(Sample s) {
        float[] g = s.g();
        return weights(s, (order, j) -> order == 1 ? g[j] : order == 2 ? (double) g[j] * g[j] : (double) g[j] * g[j] * g[j]);
    }

    /** The derivative term of order 1, 2 or 3 at index j (channel-major) of a sample. */
    @FunctionalInterface
    interface Terms {
        double at(int order, int j);
    }

    /**
     * w_k = sum_ij alpha · ReLU(D¹) with alpha = D² / (2 D² + sum_ij(A) D³ + eps), 0 where D² = 0: Grad-CAM++
     * with D^n = g^n, Smooth Grad-CAM++ with D^n the means over the noisy copies.
     */
    static float[] weights(Sample s, Terms d) {
        float[] w = new float[s.channels()];
        for (int k = 0; k < s.channels(); k++) {
            double sumA = 0;
            for (int p = 0; p < s.positions(); p++) {
                sumA += s.a()[k * s.positions() + p];
            }
            double sum = 0;
            for (int p = 0; p < s.positions(); p++) {
                int j = k * s.positions() + p;
                double d2 = d.at(2, j);
                if (d2 == 0) {
                    continue;
                }
                double alpha = d2 / (2 * d2 + sumA * d.at(3, j) + EPS);
                sum += alpha * Math.max(d.at(1, j), 0);
            }
            w[k] = (float) sum;
        }
        return w;
    }
}
