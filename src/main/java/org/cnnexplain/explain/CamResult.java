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
 */
public record CamResult(String method, Layer layer, int[] classes, MapStack layerMaps, MapStack inputMaps) {
}
