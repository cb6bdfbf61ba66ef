package org.cnnexplain.plugin;

import org.scijava.plugin.Parameter;

/** Commands whose map also goes onto the input image as a LUT-coloured overlay (CAM, Grad-CAM). */
public abstract class HeatmapCommandBase extends ExplainCommandBase {

    @Parameter(label = "LUT of the overlay", choices = {"inferno", "viridis", "turbo", "fire", "ice", "grays", "spectrum"})
    private String lut = "inferno";

    @Parameter(label = "Opacity of the overlay where the map is strong", min = "0", max = "1", stepSize = "0.05")
    private double opacity = 0.5;

    @Override
    protected String lut() {
        return lut;
    }

    @Override
    protected double opacity() {
        return opacity;
    }
}
