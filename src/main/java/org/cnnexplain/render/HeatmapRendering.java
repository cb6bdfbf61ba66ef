package org.cnnexplain.render;

import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import java.awt.image.IndexColorModel;

/**
 * Draws a map through a LUT, alone or blended onto a grey rendering of the image.
 *
 * <p>The map is scaled from [0, max] to the LUT's 256 levels (negative values
 * count as 0). Positions where the map is 0 stay uncoloured: in the heatmap they
 * are black (0x000000), which {@code ImageRoi.setZeroTransparent(true)} treats as
 * transparent; in the blend they show the image alone.
 *
 * <pre>{@code
 * ColorProcessor heat = HeatmapRendering.heatmap(map, 128, 128, Luts.get("inferno"));
 * ColorProcessor png  = HeatmapRendering.blend(imp.getProcessor(), map, Luts.get("inferno"), 0.5);
 * }</pre>
 */
public final class HeatmapRendering {

    private HeatmapRendering() {
    }

    /** The map's LUT colours, black where the map is ≤ 0. */
    public static ColorProcessor heatmap(float[] map, int width, int height, IndexColorModel lut) {
        float max = max(map);
        int[] px = new int[width * height];
        for (int i = 0; i < px.length; i++) {
            px[i] = map[i] > 0 && max > 0 ? nonBlack(Luts.rgb(lut, level(map[i], max))) : 0;
        }
        return new ColorProcessor(width, height, px);
    }

    /** The image in grey (contrast from its 1st to 99.8th percentile), with the heatmap blended in at {@code opacity} where the map is > 0. */
    public static ColorProcessor blend(ImageProcessor image, float[] map, IndexColorModel lut, double opacity) {
        ImageProcessor grey = image.duplicate().convertToFloatProcessor();
        float[] sorted = ((float[]) grey.getPixels()).clone();
        java.util.Arrays.sort(sorted);
        // like ImageJ's auto-contrast: saturate the darkest and brightest few pixels
        grey.setMinAndMax(sorted[(int) (0.01 * (sorted.length - 1))], sorted[(int) (0.998 * (sorted.length - 1))]);
        ImageProcessor bytes = grey.convertToByteProcessor(true);
        int w = bytes.getWidth();
        int h = bytes.getHeight();
        float max = max(map);
        int[] px = new int[w * h];
        for (int i = 0; i < px.length; i++) {
            int g = bytes.get(i) & 0xff;
            int rgb = (g << 16) | (g << 8) | g;
            if (map[i] > 0 && max > 0) {
                rgb = mix(rgb, Luts.rgb(lut, level(map[i], max)), opacity);
            }
            px[i] = rgb;
        }
        return new ColorProcessor(w, h, px);
    }

    static int level(float v, float max) {
        return Math.min(255, Math.max(0, Math.round(v / max * 255f)));
    }

    /** A LUT's first colour may be pure black; keep it visible as "a little signal", not "transparent". */
    private static int nonBlack(int rgb) {
        return rgb == 0 ? 0x010101 : rgb;
    }

    private static int mix(int a, int b, double t) {
        int r = (int) Math.round(((a >> 16) & 0xff) * (1 - t) + ((b >> 16) & 0xff) * t);
        int g = (int) Math.round(((a >> 8) & 0xff) * (1 - t) + ((b >> 8) & 0xff) * t);
        int bl = (int) Math.round((a & 0xff) * (1 - t) + (b & 0xff) * t);
        return (r << 16) | (g << 8) | bl;
    }

    static float max(float[] map) {
        float m = 0;
        for (float v : map) {
            m = Math.max(m, v);
        }
        return m;
    }
}
