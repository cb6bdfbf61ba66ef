package org.cnnexplain.explain;

/** Grad-CAM (Selvaraju et al. 2017): w_k = mean over positions of dy^c/dA^k. */
public class GradCam extends CamMethod {

    @Override
    public String name() {
        return "gradcam";
    }

    @Override
    public String title() {
        return "Grad-CAM";
    }

    @Override
    protected float[] weights(Sample s) {
        float[] w = new float[s.channels()];
        for (int k = 0; k < s.channels(); k++) {
            double sum = 0;
            for (int p = 0; p < s.positions(); p++) {
                sum += s.g()[k * s.positions() + p];
            }
            w[k] = (float) (sum / s.positions());
        }
        return w;
    }
}
