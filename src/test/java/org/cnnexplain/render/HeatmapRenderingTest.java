package org.cnnexplain.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Roi;
import ij.io.RoiDecoder;
import ij.io.RoiEncoder;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** The overlay's transparency follows the map: no edge where the map has none. */
class HeatmapRenderingTest {

    /** A smooth bump: 1 in the middle, falling to tiny positive values, exactly 0 outside a square. */
    static float[] bump(int n) {
        float[] map = new float[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double r2 = ((x - n / 2.0) * (x - n / 2.0) + (y - n / 2.0) * (y - n / 2.0)) / (n * n / 36.0);
                map[y * n + x] = x > 4 && x < n - 4 && y > 4 && y < n - 4 ? (float) Math.exp(-r2) : 0f;
            }
        }
        return map;
    }

    @Test
    void alphaRisesFromZeroAndNoNeighbouringPixelsJumpMoreThanTheMapDoes() {
        int n = 64;
        float[] map = bump(n);
        BufferedImage heat = HeatmapRendering.heatmap(map, n, n, Luts.get("inferno"));
        int[] px = heat.getRGB(0, 0, n, n, null, 0, n);
        assertEquals(0, px[0] >>> 24, "transparent where the map is 0");
        assertEquals(255, px[n / 2 * n + n / 2] >>> 24, "opaque at the peak");
        // the square's border: the map is tiny (<1e-3) there, and so is the alpha (was: fully opaque near-black)
        int border = 5 * n + n / 2;
        assertTrue(map[border] > 0 && map[border] < 0.01f, "test map: " + map[border]);
        assertTrue((px[border] >>> 24) <= 255 * map[border] / HeatmapRendering.ALPHA_RAMP + 1, "alpha " + (px[border] >>> 24));
        // alpha is a Lipschitz function of the value: a step of the map of d gives at most d / ramp
        for (int i = 1; i < px.length; i++) {
            float d = Math.abs(map[i] - map[i - 1]);
            int da = Math.abs((px[i] >>> 24) - (px[i - 1] >>> 24));
            assertTrue(da <= 255 * d / HeatmapRendering.ALPHA_RAMP + 1, "alpha jumps by " + da + " at " + i);
        }
    }

    @Test
    void theBlendedPngLeavesTheImageAloneWhereTheMapIsNearlyZero() {
        int n = 64;
        float[] map = bump(n);
        ByteProcessor image = new ByteProcessor(n, n);
        for (int i = 0; i < n * n; i++) {
            image.set(i, 40 + (i % 7) * 20);
        }
        ColorProcessor plain = HeatmapRendering.blend(image, new float[n * n], Luts.get("inferno"), 0.6);
        ColorProcessor blended = HeatmapRendering.blend(image, map, Luts.get("inferno"), 0.6);
        for (int i = 0; i < n * n; i++) {
            int a = plain.get(i);
            int b = blended.get(i);
            int diff = Math.max(Math.abs(((a >> 16) & 255) - ((b >> 16) & 255)), Math.abs((a & 255) - (b & 255)));
            if (map[i] < 0.01f) {
                assertTrue(diff <= 0.6 * 0.01 / HeatmapRendering.ALPHA_RAMP * 255 + 1, "pixel " + i + " changed by " + diff);
            }
        }
        assertTrue(blended.get(n / 2 * n + n / 2) != plain.get(n / 2 * n + n / 2), "no colour at the peak");
    }

    @Test
    void aSavedOverlayKeepsTheColoursAboveHalfTheRampAndIsTransparentBelow() {
        int n = 64;
        float[] map = bump(n);
        ImagePlus imp = new ImagePlus("cell", new ByteProcessor(n, n));
        ImageRoi roi = ResultImages.addHeatmap(imp, map, Luts.get("inferno"), 0.5, 0, 1, 1, "Grad-CAM");
        Roi back = RoiDecoder.openFromByteArray(RoiEncoder.saveAsByteArray(roi));
        ImageRoi saved = (ImageRoi) back;
        assertTrue(saved.getZeroTransparent());
        assertEquals(0.5, saved.getOpacity(), 5e-3);   // stored as a byte
        ColorProcessor colours = (ColorProcessor) saved.getProcessor();
        for (int i = 0; i < n * n; i++) {
            boolean strong = map[i] >= HeatmapRendering.ALPHA_RAMP / 2 * 1.01f;
            boolean weak = map[i] < HeatmapRendering.ALPHA_RAMP / 2 * 0.99f;
            int rgb = colours.get(i) & 0xffffff;
            if (strong) {
                assertEquals(Luts.rgb(Luts.get("inferno"), HeatmapRendering.level(map[i], 1f)), rgb,
                        "colour kept at " + i);
            } else if (weak) {
                assertEquals(0, rgb, "transparent at " + i);
            }
        }
    }
}
