package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import java.util.Set;
import org.cnnexplain.UserError;
import org.cnnexplain.graph.Graph;
import org.cnnexplain.graph.Node;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;

/**
 * CAM (Zhou et al. 2016): for a net that ends in global average pooling and one
 * linear layer, map = sum_k w_k^c A^k with w the linear layer's weights and A the
 * pooled activations. Kept signed, as in the paper; ReLU(CAM) / (h·w) equals
 * Grad-CAM at the same layer.
 */
public class Cam extends CamMethod {

    private static final Set<String> PASS_THROUGH = Set.of("Flatten", "Reshape", "Squeeze", "Identity", "Dropout");

    /** The linear layer's weights (classes × channels), read once per explanation. */
    private float[] linear;

    @Override
    public String name() {
        return "cam";
    }

    @Override
    public String title() {
        return "CAM";
    }

    @Override
    protected boolean usesGradients() {
        return false;
    }

    @Override
    protected boolean relu() {
        return false;
    }

    /** CAM's layer is fixed by the architecture: the input of the global average pooling. */
    @Override
    public CamResult explain(ExplainableModel model, ai.djl.ndarray.NDManager run, NDArray input, String layer,
                             Target target) {
        if (model.graph() == null) {
            return new CamFromGradients().explain(model, run, input, layer, target);
        }
        Head head = Head.find(model);
        linear = head.weights();
        Layer l = model.resolveLayer(head.pool().inputs().get(0));
        if (layer != null && !layer.isBlank() && !layer.equalsIgnoreCase(LayerChoice.AUTO)
                && !model.resolveLayer(layer).output().equals(l.output())) {
            throw new UserError("CAM works only at the layer feeding the global average pooling ('" + l.name()
                    + "'); use layer=auto, or Grad-CAM for other layers");
        }
        return explain(model, run, input, l, target);
    }

    @Override
    protected float[] weights(Sample s) {
        if (linear == null) {   // called with a Layer directly
            linear = Head.find(s.context().model()).weights();
        }
        float[] w = linear;
        int k = w.length / s.channels();
        float[] row = new float[s.channels()];
        for (int c = 0; c < s.channels(); c++) {
            row[c] = w[s.cls() * s.channels() + c];
        }
        if (s.cls() >= k) {
            throw new UserError("CAM: class " + s.cls() + " has no row in the linear layer");
        }
        return row;
    }

    /**
     * The linear layer's weights (classes × channels, row-major) when CAM applies at {@code layer}, i.e. the
     * layer feeds the model's final global average pooling; else null.
     */
    public static float[] weightsAt(ExplainableModel model, Layer layer) {
        if (model.graph() == null) {
            return null;
        }
        try {
            Head head = Head.find(model);
            return head.pool().inputs().get(0).equals(layer.output()) ? head.weights() : null;
        } catch (UserError e) {
            return null;
        }
    }

    /** GlobalAveragePool → (Flatten/Reshape/...) → Gemm at the end of the graph. */
    record Head(Node pool, Node linear, float[] weights) {

        static Head find(ExplainableModel model) {
            Graph g = model.graph();
            Node linear = g.producerOf(model.outputName());
            if (linear == null || !linear.opType().equals("Gemm")) {
                throw new UserError("CAM needs a model that ends in global average pooling and one linear layer;"
                        + " this one ends in " + (linear == null ? "nothing" : linear.describe())
                        + " — use Grad-CAM instead");
            }
            Node n = g.producerOf(linear.inputs().get(0));
            while (n != null && PASS_THROUGH.contains(n.opType())) {
                n = g.producerOf(n.inputs().get(0));
            }
            if (n == null || !n.opType().equals("GlobalAveragePool")) {
                throw new UserError("CAM needs global average pooling right before the last linear layer ("
                        + linear.name() + "), found " + (n == null ? "the model input" : n.describe())
                        + " — use Grad-CAM instead");
            }
            NDArray b = g.constants().get(linear.inputs().get(1));
            if (b == null) {
                throw new UserError("CAM: the weights of " + linear.describe() + " are not constants — use Grad-CAM");
            }
            // read on the host: an op on a graph constant would allocate in the model's manager
            float[] v = b.toFloatArray();
            if (linear.attributes().getInt("transB", 0) == 1) {
                return new Head(n, linear, v);   // already (classes, channels)
            }
            int rows = (int) b.getShape().get(0);
            int cols = (int) b.getShape().get(1);
            float[] t = new float[v.length];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    t[j * rows + i] = v[i * cols + j];
                }
            }
            return new Head(n, linear, t);
        }
    }
}
