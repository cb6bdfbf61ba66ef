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
        float[] w = new float[s.channels()];
        for (int k = 0; k < s.channels(); k++) {
            double sumA = 0;
            for (int p = 0; p < s.positions(); p++) {
                sumA += s.a()[k * s.positions() + p];
            }
            double sum = 0;
            for (int p = 0; p < s.positions(); p++) {
                double g = s.g()[k * s.positions() + p];
                if (g == 0) {
                    continue;
                }
                double g2 = g * g;
                double alpha = g2 / (2 * g2 + sumA * g2 * g + EPS);
                sum += alpha * Math.max(g, 0);
            }
            w[k] = (float) sum;
        }
        return w;
    }
}
