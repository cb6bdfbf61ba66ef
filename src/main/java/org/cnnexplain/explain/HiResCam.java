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
    protected float[] contributions(Sample s) {
        return perPosition(s, (g, a) -> g * a);
    }
}
