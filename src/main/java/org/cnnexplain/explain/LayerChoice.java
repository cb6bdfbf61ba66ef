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
     * {@code auto} is the last node whose output is still a spatial map (before
     * global pooling flattens it): the usual Grad-CAM layer. Anything else is a
     * node name, output name or module path ({@link ExplainableModel#resolveLayer}).
     */
    public static Layer resolve(ExplainableModel model, String layer) {
        if (layer == null || layer.isBlank() || layer.trim().equalsIgnoreCase(AUTO)) {
            List<Layer> layers = model.layers();
            for (int i = layers.size() - 1; i >= 0; i--) {
                if (layers.get(i).isSpatial()) {
                    return layers.get(i);
                }
            }
            throw new UserError("model '" + model.path().getFileName() + "' has no layer with a spatial output");
        }
        return model.resolveLayer(layer);
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
