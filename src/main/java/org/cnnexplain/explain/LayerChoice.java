package org.cnnexplain.explain;

import java.util.List;
import org.cnnexplain.UserError;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;

/** Resolves the {@code layer} parameter, including {@code auto}. */
public final class LayerChoice {

    public static final String AUTO = "auto";

    private LayerChoice() {
    }

    /**
     * {@code auto} is, for a classifier, the last node whose output is still a
     * spatial map (before global pooling flattens it): the usual Grad-CAM layer.
     * For a model with a per-pixel output (a U-Net), whose last spatial node is the
     * output itself, it is the first decoder stage: the last node at the second-coarsest
     * resolution that comes after the bottleneck (the upsampled bottleneck fused with
     * its skip connection), or the bottleneck when there is no decoder. Why not the
     * bottleneck itself, as Seg-Grad-CAM's paper does: on the trained demo U-Net its
     * 16 × 16 map put the peak on the image border for every third object (a
     * zero-padding response that the channel-averaged weights pick up), the first
     * decoder stage on none (SegmentationTruthTest). Anything else is a node name,
     * output name or module path ({@link ExplainableModel#resolveLayer}).
     */
    public static Layer resolve(ExplainableModel model, String layer) {
        return resolve(model, layer, model.referenceShape());
    }

    /** Like {@link #resolve(ExplainableModel, String)}, with the layers' shapes for an input of {@code inputShape}. */
    public static Layer resolve(ExplainableModel model, String layer, long[] inputShape) {
        if (layer != null && !layer.isBlank() && !layer.trim().equalsIgnoreCase(AUTO)) {
            return model.resolveLayer(layer, inputShape);
        }
        List<Layer> spatial = model.layers(inputShape).stream().filter(Layer::isSpatial).toList();
        if (spatial.isEmpty()) {
            throw new UserError("model '" + model.path().getFileName() + "' has no layer with a spatial output"
                    + (model.limitation() != null ? ": " + model.limitation() : ""));
        }
        if (!model.hasSpatialOutput()) {
            return spatial.get(spatial.size() - 1);
        }
        long coarsest = spatial.stream().mapToLong(LayerChoice::positions).min().orElseThrow();
        int bottleneck = -1;
        for (int i = 0; i < spatial.size(); i++) {
            if (positions(spatial.get(i)) == coarsest) {
                bottleneck = i;
            }
        }
        long next = Long.MAX_VALUE;
        for (Layer l : spatial.subList(bottleneck + 1, spatial.size())) {
            if (positions(l) > coarsest) {
                next = Math.min(next, positions(l));
            }
        }
        Layer chosen = spatial.get(bottleneck);
        for (Layer l : spatial.subList(bottleneck + 1, spatial.size())) {
            if (positions(l) == next) {
                chosen = l;
            }
        }
        return chosen;
    }

    private static long positions(Layer l) {
        long n = 1;
        for (int i = 2; i < l.shape().length; i++) {
            n *= l.shape()[i];
        }
        return n;
    }

    /** Like {@link #resolve}, but the layer must have spatial dimensions (a map to look at) for an input of {@code inputShape}. */
    public static Layer spatial(ExplainableModel model, String layer, String method, long[] inputShape) {
        Layer l = resolve(model, layer, inputShape);
        if (!l.isSpatial()) {
            throw new UserError(method + " needs a layer with spatial dimensions, but '" + l.name() + "' has shape "
                    + java.util.Arrays.toString(l.shape()) + "; choose a convolutional layer (or layer=auto)");
        }
        return l;
    }
}
