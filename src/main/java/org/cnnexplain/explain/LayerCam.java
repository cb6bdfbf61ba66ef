package org.cnnexplain.explain;

/** LayerCAM (Jiang et al. 2021): weights per position, map = sum_k ReLU(g_k) · A_k. */
public class LayerCam extends CamMethod {

    @Override
    public String name() {
        return "layercam";
    }

    @Override
    public String title() {
        return "LayerCAM";
    }

    @Override
    protected float[] contributions(Sample s) {
        return perPosition(s, (g, a) -> Math.max(g, 0f) * a);
    }
}
