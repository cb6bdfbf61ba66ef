package org.cnnexplain.plugin;

import ij.ImagePlus;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.Prediction;
import org.cnnexplain.render.ContactSheet;
import org.cnnexplain.render.HeatmapRendering;
import org.cnnexplain.render.Luts;

/**
 * The {@code montage} option of Predict, CAM and Grad-CAM: the planes of a stack
 * side by side (with their overlay, for the heatmap commands), each labelled with
 * its plane, predicted class and probability — one picture of a time-lapse or
 * z-series instead of paging through it. At most {@link #MAX_TILES} planes, the first.
 */
final class Montages {

    static final int MAX_TILES = 64;
    private static final int COLUMNS = 8;

    private Montages() {
    }

    /**
     * @param maps one input-resolution map per sample (2-D: a plane; 3-D: the middle slice is shown),
     *             or null for the planes alone
     */
    static ImagePlus of(ImagePlus image, TensorBatch batch, List<Prediction> predictions, List<float[]> maps,
                        String lut, double opacity, String what) {
        int n = Math.min(MAX_TILES, batch.size());
        List<ContactSheet.Tile> tiles = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            ImageProcessor plane = image.getStack().getProcessor(planeIndex(image, batch, s));
            ColorProcessor overlay = maps == null ? null
                    : HeatmapRendering.blend(plane, maps.get(s), Luts.get(lut), opacity);
            Prediction p = predictions.get(s);
            String where = batch.label(s).isEmpty() ? image.getTitle() : batch.label(s);
            tiles.add(new ContactSheet.Tile(plane, overlay, List.of(where,
                    String.format(Locale.ROOT, "%s  p=%.3f", p.top1Name(), p.probabilities()[p.top1()])), false));
        }
        String more = batch.size() > n ? " (first " + n + " of " + batch.size() + " planes)" : "";
        return new ImagePlus(image.getTitle() + " – " + what + " montage" + more, ContactSheet.draw(tiles, COLUMNS));
    }

    /** The stack index of sample {@code s}'s first channel: its (z, t) plane, or a 3-D sample's middle slice. */
    static int planeIndex(ImagePlus image, TensorBatch batch, int s) {
        if (batch.depth() > 0) {
            return image.getStackIndex(1, (image.getNSlices() + 1) / 2, s + 1);
        }
        int z = image.getNSlices();
        return image.getStackIndex(1, s % z + 1, s / z + 1);
    }
}
