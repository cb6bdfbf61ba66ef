package org.cnnexplain.explain;

/**
 * Eigen-CAM (Muhammad & Yeasin 2020): the activations projected on their first
 * principal component. No gradients, no class: the map is the same for every target.
 *
 * <p>As in pytorch-grad-cam, positions are the observations and channels the
 * variables; each channel is centred over positions first. The sign of a
 * principal component is arbitrary (SVD routines differ), so it is fixed here
 * to make the projection correlate positively with the channel-summed activation.
 */
public class EigenCam extends CamMethod {

    @Override
    public String name() {
        return "eigencam";
    }

    @Override
    public String title() {
        return "Eigen-CAM";
    }

    @Override
    protected boolean usesGradients() {
        return false;
    }

    /** The activations themselves, always reduced to their first principal component. */
    @Override
    protected float[] contributions(Sample s) {
        return s.a();
    }

    @Override
    protected boolean principalComponent() {
        return true;
    }

    /**
     * Values v (C × positions) centred per channel over positions and projected on their first principal
     * component, signed to correlate positively with the channel sum of v.
     */
    static float[] projection(float[] v, int c, int hw) {
        double[] x = new double[hw * c];   // positions × channels, row-major
        for (int k = 0; k < c; k++) {
            double mean = 0;
            for (int p = 0; p < hw; p++) {
                mean += v[k * hw + p];
            }
            mean /= hw;
            for (int p = 0; p < hw; p++) {
                x[p * c + k] = v[k * hw + p] - mean;
            }
        }
        double[] axis = PrincipalAxis.of(x, hw, c);
        float[] map = new float[hw];
        double agreement = 0;
        for (int p = 0; p < hw; p++) {
            double proj = 0;
            double total = 0;
            for (int k = 0; k < c; k++) {
                proj += x[p * c + k] * axis[k];
                total += v[k * hw + p];
            }
            map[p] = (float) proj;
            agreement += proj * total;
        }
        if (agreement < 0) {
            for (int p = 0; p < hw; p++) {
                map[p] = -map[p];
            }
        }
        return map;
    }
}
