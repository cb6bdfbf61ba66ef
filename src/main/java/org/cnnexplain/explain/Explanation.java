package org.cnnexplain.explain;

/**
 * One named result of an {@link Explainer} run, for one sample.
 *
 * @param key       file-name token: featuremaps, deconvnet, guided, gradient, cam, a variant name, guidedgradcam...
 * @param title     for window titles, e.g. "Grad-CAM (block4, class mitotic)"
 * @param inputMaps maps at input resolution
 * @param layerMaps maps at the layer's resolution (null where the method works at the input: deconvnet, guided)
 * @param scores    the model's raw outputs (K) for the sample where the method's own forward pass made them
 *                  (so that a caller needing them, such as a tiled class map, does not run the model again); else null
 */
public record Explanation(String key, String title, MapStack inputMaps, MapStack layerMaps, float[] scores) {

    public Explanation(String key, String title, MapStack inputMaps, MapStack layerMaps) {
        this(key, title, inputMaps, layerMaps, null);
    }
}
