package org.cnnexplain.plugin;

import ij.ImagePlus;
import java.util.ArrayList;
import java.util.List;
import org.cnnexplain.explain.Explanation;
import org.cnnexplain.explain.MapStack;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Prediction;
import org.scijava.ItemIO;
import org.scijava.plugin.Parameter;

/** Commands whose map also goes onto the input image as a LUT-coloured overlay (CAM, Grad-CAM). */
public abstract class HeatmapCommandBase extends ExplainCommandBase {

    @Parameter(label = "LUT of the overlay", choices = {"inferno", "viridis", "turbo", "fire", "ice", "grays", "spectrum"})
    private String lut = "inferno";

    @Parameter(label = "Opacity of the overlay where the map is strong", min = "0", max = "1", stepSize = "0.05")
    private double opacity = 0.5;

    @Parameter(label = "Montage of the planes, labelled with prediction and probability")
    private boolean montage;

    @Parameter(label = "Montage", type = ItemIO.OUTPUT, required = false)
    private ImagePlus sheet;

    @Override
    protected void finish(List<List<Explanation>> perSample, TensorBatch batch, ExplainableModel m) {
        if (!montage) {
            return;
        }
        List<float[]> maps = new ArrayList<>();
        for (int s = 0; s < Math.min(Montages.MAX_TILES, perSample.size()); s++) {
            MapStack in = perSample.get(s).get(0).inputMaps().resized(image.getHeight(), image.getWidth());
            maps.add(in.plane(in.depth() / 2));
        }
        sheet = Montages.of(image, batch, Prediction.of(m, batch), maps, lut, opacity, title());
    }

    @Override
    protected String lut() {
        return lut;
    }

    @Override
    protected double opacity() {
        return opacity;
    }
}
