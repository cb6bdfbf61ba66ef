package org.cnnexplain.explain;

import org.cnnexplain.model.Layer;

/**
 * The maps of one CAM-style explanation of a batch.
 *
 * @param method    e.g. "Grad-CAM"
 * @param layer     the layer whose activations were weighed
 * @param classes   the explained class of each sample
 * @param layerMaps one map per sample at the layer's resolution
 * @param inputMaps the same, upsampled bilinearly to the input
 * @param scores    the model's outputs of the pass that made the maps, N x K row-major, or null
 */
public record CamResult(String method, Layer layer, int[] classes, MapStack layerMaps, MapStack inputMaps,
                        float[] scores) {

    public CamResult(String method, Layer layer, int[] classes, MapStack layerMaps, MapStack inputMaps) {
        this(method, layer, classes, layerMaps, inputMaps, null);
    }

    /** The same maps, with the scores of the pass that made them. */
    public CamResult withScores(float[] s) {
        return new CamResult(method, layer, classes, layerMaps, inputMaps, s);
    }
}
