package org.cnnexplain.explain;

/**
 * One named result of an {@link Explainer} run, for one sample.
 *
 * @param key       file-name token: featuremaps, deconvnet, guided, gradient, cam, a variant name, guidedgradcam...
 * @param title     for window titles, e.g. "Grad-CAM (block4, class mitotic)"
 * @param inputMaps maps at input resolution
 * @param layerMaps maps at the layer's resolution (null where the method works at the input: deconvnet, guided)
 */
public record Explanation(String key, String title, MapStack inputMaps, MapStack layerMaps) {
}
