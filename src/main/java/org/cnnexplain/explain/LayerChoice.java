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
     * output itself, it is the bottleneck: the last of the nodes with the coarsest
     * map, as Seg-Grad-CAM uses. Anything else is a node name, output name or module
     * path ({@link ExplainableModel#resolveLayer}).
     */
    public static Layer resolve(ExplainableModel model, String layer) {
        if (layer == null || layer.isBlank() || layer.trim().equalsIgnoreCase(AUTO)) {
            List<Layer> layers = model.layers();
            Layer chosen = null;
            for (Layer l : layers) {
                if (l.isSpatial() && (chosen == null || !model.hasSpatialOutput()
                        || positions(l) <= positions(chosen))) {
                    chosen = l;
                }
            }
            if (chosen == null) {
                throw new UserError("model '" + model.path().getFileName() + "' has no layer with a spatial output"
                        + (model.limitation() != null ? ": " + model.limitation() : ""));
            }
            return chosen;
        }
        return model.resolveLayer(layer);
    }

    private static long positions(Layer l) {
        long n = 1;
        for (int i = 2; i < l.shape().length; i++) {
            n *= l.shape()[i];
        }
        return n;
    }

    /** Like {@link #resolve}, but the layer must have spatial dimensions (a map to look at). */
    public static Layer spatial(ExplainableModel model, String layer, String method) {
        Layer l = resolve(model, layer);
        if (!l.isSpatial()) {
            throw new UserError(method + " needs a layer with spatial dimensions, but '" + l.name() + "' has shape "
                    + java.util.Arrays.toString(l.shape()) + "; choose a convolutional layer (or layer=auto)");
        }
        return l;
    }
}
