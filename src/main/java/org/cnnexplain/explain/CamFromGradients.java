package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.cnnexplain.UserError;
import org.cnnexplain.model.ExplainableModel;

/**
 * CAM for a model whose head cannot be read (TorchScript, cut at {@code features}):
 * when the head is global average pooling and one linear layer, the gradient of the
 * class score with respect to A^k is w_k^c / (h·w) at every position, so
 * w_k^c = h·w · dy^c/dA^k. That the gradient is the same at every position is
 * checked: a head of any other form is refused, not approximated.
 */
final class CamFromGradients extends Cam {

    /** Relative spread of a channel's gradient over positions still taken as constant (float rounding). */
    private static final double CONSTANT = 1e-4;

    /** Any spatial layer (the cut, for TorchScript): there is no pooling node to find. */
    @Override
    public CamResult explain(ExplainableModel model, NDManager run, NDArray input, String layer, Target target) {
        return explain(model, run, input, LayerChoice.spatial(model, layer, title(), input.getShape().getShape()), target);
    }

    @Override
    protected boolean usesGradients() {
        return true;
    }

    @Override
    protected float[] weights(Sample s) {
        int n = s.positions();
        float[] w = new float[s.channels()];
        double scale = 0;
        for (float g : s.g()) {
            scale = Math.max(scale, Math.abs(g));
        }
        for (int k = 0; k < s.channels(); k++) {
            float first = s.g()[k * n];
            for (int p = 1; p < n; p++) {
                if (Math.abs(s.g()[k * n + p] - first) > CONSTANT * scale) {
                    throw new UserError("CAM needs a head of global average pooling and one linear layer, and this"
                            + " model's head is not (its gradient varies over positions); use Grad-CAM instead");
                }
            }
            w[k] = first * n;
        }
        return w;
    }
}
