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
    protected float[] combine(Sample s) {
        float[] map = new float[s.hw()];
        for (int k = 0; k < s.channels(); k++) {
            for (int p = 0; p < s.hw(); p++) {
                int i = k * s.hw() + p;
                map[p] += Math.max(s.g()[i], 0f) * s.a()[i];
            }
        }
        return map;
    }
}
