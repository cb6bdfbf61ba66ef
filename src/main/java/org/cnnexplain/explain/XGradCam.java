package org.cnnexplain.explain;

/** XGrad-CAM (Fu et al. 2020): w_k = sum over positions of g · A / (sum_ij A + eps). */
public class XGradCam extends CamMethod {

    private static final double EPS = 1e-7;

    @Override
    public String name() {
        return "xgradcam";
    }

    @Override
    public String title() {
        return "XGrad-CAM";
    }

    @Override
    protected float[] weights(Sample s) {
        float[] w = new float[s.channels()];
        for (int k = 0; k < s.channels(); k++) {
            double sumA = 0;
            double sumGA = 0;
            for (int p = 0; p < s.positions(); p++) {
                sumA += s.a()[k * s.positions() + p];
                sumGA += (double) s.g()[k * s.positions() + p] * s.a()[k * s.positions() + p];
            }
            w[k] = (float) (sumGA / (sumA + EPS));
        }
        return w;
    }
}
