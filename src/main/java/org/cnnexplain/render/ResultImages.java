package org.cnnexplain.render;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.measure.Calibration;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.IndexColorModel;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.explain.MapStack;

/**
 * ImageJ images from maps: the 32-bit result stack, and the heatmap overlay
 * (a {@link HeatmapRoi} through a LUT, its transparency following the map, with a calibration bar)
 * that goes onto the input image.
 *
 * <pre>{@code
 * ImagePlus maps = ResultImages.stack(explanation.inputMaps(), "cell.tif – Grad-CAM (block4, class mitotic)", cal);
 * ResultImages.addHeatmap(input, explanation.inputMaps().plane(0), Luts.get("inferno"), 0.5, 0, 1, 1, "Grad-CAM");
 * }</pre>
 */
public final class ResultImages {

    /** Name prefix of every ROI this plugin adds, so users (and tests) can find or remove them. */
    public static final String ROI_PREFIX = "cnn-explain";

    private ResultImages() {
    }

    /** One labelled 32-bit slice per map, display range 0..max (or min..max for signed maps). */
    public static ImagePlus stack(MapStack maps, String title, Calibration cal) {
        ImageStack stack = new ImageStack(maps.width(), maps.height());
        float min = 0;
        float max = 0;
        for (int k = 0; k < maps.planes(); k++) {
            float[] plane = maps.plane(k);
            for (float v : plane) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            stack.addSlice(maps.planeLabel(k), new FloatProcessor(maps.width(), maps.height(), plane));
        }
        ImagePlus imp = new ImagePlus(title, stack);
        if (cal != null) {
            imp.setCalibration(cal.copy());
        }
        imp.setDisplayRange(min, max > min ? max : min + 1);
        return imp;
    }

    /**
     * Planes ordered (neuron, channel, z), as per-channel volumes come out of the engine, reordered to
     * ImageJ's hyperstack order (neuron, z, channel); the result is 2-D maps, one per plane.
     */
    public static MapStack channelsInnermost(MapStack maps, int channels, int depth) {
        int plane = maps.width() * maps.height();
        int n = maps.planes();
        float[] out = new float[maps.data().length];
        String[] labels = new String[n];
        for (int k = 0; k < n; k++) {
            int z = k % depth;
            int c = k / depth % channels;
            int g = k / (depth * channels);
            int to = (g * depth + z) * channels + c;
            System.arraycopy(maps.data(), k * plane, out, to * plane, plane);
            labels[to] = maps.labels().get(k);
        }
        return new MapStack(out, n, maps.height(), maps.width(), List.of(labels));
    }

    /**
     * Adds {@code map} (input resolution) to {@code image}'s overlay as a LUT-coloured layer,
     * transparent where the map is low ({@link HeatmapRendering#alpha}), at channel {@code c} (0 = all channels), slice {@code z} and frame {@code t},
     * with a calibration bar in the top-right corner.
     */
    public static ImageRoi addHeatmap(ImagePlus image, float[] map, IndexColorModel lut, double opacity,
                                      int c, int z, int t, String name) {
        return addHeatmap(image, map, new java.awt.Rectangle(0, 0, image.getWidth(), image.getHeight()), lut, opacity,
                c, z, t, name);
    }

    /** As above for a map covering only {@code where} of the image (a tiled ROI's bounding box). */
    public static ImageRoi addHeatmap(ImagePlus image, float[] map, java.awt.Rectangle where, IndexColorModel lut,
                                      double opacity, int c, int z, int t, String name) {
        ImageRoi roi = new HeatmapRoi(where.x, where.y, HeatmapRendering.heatmap(map, where.width, where.height, lut));
        roi.setOpacity(opacity);
        roi.setName(ROI_PREFIX + " " + name);
        Overlay overlay = image.getOverlay() == null ? new Overlay() : image.getOverlay();
        place(image, roi, c, z, t);
        overlay.add(roi);
        for (Roi r : calibrationBar(image, lut, HeatmapRendering.max(map), name)) {
            place(image, r, c, z, t);
            overlay.add(r);
        }
        image.setOverlay(overlay);
        return roi;
    }

    private static void place(ImagePlus image, Roi roi, int c, int z, int t) {
        if (image.isHyperStack() || image.getNChannels() > 1 || image.getNFrames() > 1) {
            roi.setPosition(c, z, t);
        } else if (image.getStackSize() > 1) {
            roi.setPosition(z);
        }
    }

    /** A vertical LUT ramp with the map's maximum above and 0 below it. */
    static List<Roi> calibrationBar(ImagePlus image, IndexColorModel lut, float max, String name) {
        int h = Math.max(16, image.getHeight() / 4);
        int w = Math.max(4, image.getWidth() / 40);
        int[] px = new int[w * h];
        for (int y = 0; y < h; y++) {
            int rgb = Luts.rgb(lut, 255 - y * 255 / Math.max(1, h - 1)) | 0x010101;
            for (int x = 0; x < w; x++) {
                px[y * w + x] = rgb;
            }
        }
        int x0 = image.getWidth() - w - 2;
        int fontSize = Math.max(8, image.getHeight() / 20);
        int y0 = fontSize + 3;
        ImageRoi bar = new ImageRoi(x0, y0, new ColorProcessor(w, h, px));
        bar.setName(ROI_PREFIX + " bar " + name);
        Font font = new Font("SansSerif", Font.PLAIN, fontSize);
        TextRoi top = new TextRoi(String.format(Locale.ROOT, "%.3g", max), x0, 1, font);
        top.setJustification(TextRoi.RIGHT);
        top.setLocation(image.getWidth() - 2 - top.getBounds().width, 1);
        top.setStrokeColor(Color.WHITE);
        top.setName(ROI_PREFIX + " max " + name);
        TextRoi bottom = new TextRoi("0", x0, y0 + h + 1, font);
        bottom.setStrokeColor(Color.WHITE);
        bottom.setName(ROI_PREFIX + " min " + name);
        return List.of(bar, top, bottom);
    }

}
