package org.cnnexplain.explain;

/** HiResCAM (Draelos & Carin 2020): the gradient multiplies each position, map = sum_k g_k · A_k. */
public class HiResCam extends CamMethod {

    @Override
    public String name() {
        return "hirescam";
    }

    @Override
    public String title() {
        return "HiResCAM";
    }

    @Override
    protected float[] combine(Sample s) {
        float[] map = new float[s.hw()];
        for (int k = 0; k < s.channels(); k++) {
            for (int p = 0; p < s.hw(); p++) {
                int i = k * s.hw() + p;
                map[p] += s.g()[i] * s.a()[i];
            }
        }
        return map;
    }
}
