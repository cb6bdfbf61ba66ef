package org.cnnexplain.rules;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.LayerChoice;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.InputPadding;
import org.cnnexplain.model.Layer;
import org.cnnexplain.model.Prediction;

/**
 * One forward pass per image plane, keeping the model's predicted class and the globally pooled
 * activation of every channel of one layer, and nothing else: the activations are pooled inside
 * the run's own native memory, which is freed before the next image.
 *
 * <pre>{@code
 * ActivationPass pass = new ActivationPass(model, "block4", Pooling.MAX);
 * for (Path f : files) {
 *     pass.add(f.getFileName().toString(), batchOf(f));
 * }
 * ActivationTable t = pass.table();   // 64 floats per plane
 * }</pre>
 */
public final class ActivationPass {

    private final ExplainableModel model;
    private final Layer layer;
    private final Pooling pooling;
    private final ActivationTable table;

    public ActivationPass(ExplainableModel model, String layer, Pooling pooling) {
        if (model.hasSpatialOutput()) {
            throw new UserError("rules explain a classifier's class per image; " + model.path().getFileName()
                    + " has a per-pixel output");
        }
        this.model = model;
        this.layer = LayerChoice.resolve(model, layer);
        long[] shape = this.layer.shape();
        if (shape.length < 2 || shape[1] < 1) {
            throw new UserError("layer '" + this.layer.name() + "' has no channels (shape "
                    + java.util.Arrays.toString(shape) + ")");
        }
        this.pooling = pooling;
        this.table = new ActivationTable((int) shape[1]);
    }

    /** The layer the parameter resolved to. */
    public Layer layer() {
        return layer;
    }

    public Pooling pooling() {
        return pooling;
    }

    public ActivationTable table() {
        return table;
    }

    /** Adds every plane of {@code batch} (from the file {@code image}), {@link Prediction#BATCH} at a time. */
    public void add(String image, TensorBatch batch) {
        for (int from = 0; from < batch.size(); from += Prediction.BATCH) {
            int to = Math.min(batch.size(), from + Prediction.BATCH);
            try (NDManager run = model.newRun()) {
                NDArray x = batch.toNDArray(run, from, to);
                InputPadding padding = InputPadding.of(model, x.getShape().getShape());
                ExplainableModel.Forward f = model.forward(run, padding.none() ? x : padding.pad(x),
                        List.of(layer.output()));
                float[] pooled = pool(padding.crop(f.tap(layer.output())), to - from);
                float[] logits = f.logits().reshape(to - from, -1).toFloatArray();
                int c = table.channels();
                int k = logits.length / (to - from);
                for (int i = 0; i < to - from; i++) {
                    table.add(new ActivationTable.Row(image, from + i + 1, argMax(logits, i * k, k),
                            java.util.Arrays.copyOfRange(pooled, i * c, (i + 1) * c)));
                }
            }
        }
    }

    private float[] pool(NDArray a, int n) {
        NDArray flat = a.reshape(n, table.channels(), -1);
        return (pooling == Pooling.MAX ? flat.max(new int[] {2}) : flat.mean(new int[] {2})).toFloatArray();
    }

    private static int argMax(float[] v, int from, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            if (v[from + j] > v[from + best]) {
                best = j;
            }
        }
        return best;
    }
}
