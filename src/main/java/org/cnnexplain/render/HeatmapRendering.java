package org.cnnexplain.render;

import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;

/**
 * Draws a map through a LUT, alone or blended onto a grey rendering of the image.
 *
 * <p>The map is scaled from [0, max] to the LUT's 256 levels (negative values
 * count as 0). Its transparency follows its value: fully transparent at 0, the
 * opacity rising linearly to full at {@link #ALPHA_RAMP} of the maximum and full
 * above. A map that fades out therefore fades out on the image too; a constant
 * opacity would paint the LUT's dark low end over every tiny positive value and
 * draw hard edges where the map has none. With {@code max = 0.8}, a value of 0.1
 * (LUT level 32) is drawn at 50 % of the overlay's opacity, 0.2 and above at 100 %.
 *
 * <pre>{@code
 * BufferedImage heat = HeatmapRendering.heatmap(map, 128, 128, Luts.get("inferno"));   // ARGB
 * ColorProcessor png  = HeatmapRendering.blend(imp.getProcessor(), map, Luts.get("inferno"), 0.5);
 * }</pre>
 */
public final class HeatmapRendering {

    private HeatmapRendering() {
    }

    /** The fraction of the map's maximum at which the overlay reaches its full opacity. */
    public static final float ALPHA_RAMP = 0.25f;

    /** The map's LUT colours with the alpha of {@link #alpha}: transparent where the map is ≤ 0. */
    public static BufferedImage heatmap(float[] map, int width, int height, IndexColorModel lut) {
        float max = max(map);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            int a = Math.round(alpha(map[i], max) * 255f);
            px[i] = a == 0 ? 0 : (a << 24) | nonBlack(Luts.rgb(lut, level(map[i], max)));
        }
        return img;
    }

    /** Opacity factor of a value: 0 at ≤ 0, rising linearly to 1 at {@link #ALPHA_RAMP} × max. */
    public static float alpha(float v, float max) {
        if (!(v > 0) || !(max > 0)) {
            return 0f;
        }
        return Math.min(1f, v / (ALPHA_RAMP * max));
    }

    /**
     * The image in grey (contrast from its 1st to 99.8th percentile), with the heatmap blended in at
     * {@code opacity} times the value's {@link #alpha}.
     */
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
            float a = alpha(map[i], max);
            if (a > 0) {
                rgb = mix(rgb, Luts.rgb(lut, level(map[i], max)), opacity * a);
            }
            px[i] = rgb;
        }
        return new ColorProcessor(w, h, px);
    }

    static int level(float v, float max) {
        return Math.min(255, Math.max(0, Math.round(v / max * 255f)));
    }

    /** A LUT's first colour may be pure black; keep it "a little signal", not "transparent" where alpha is lost (saved overlays). */
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
