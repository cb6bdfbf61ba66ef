package org.cnnexplain.render;

import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.io.FileSaver;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import java.awt.image.BufferedImage;

/**
 * The heatmap layer of an overlay: drawn with a per-pixel alpha that follows the map's value
 * ({@link HeatmapRendering#alpha}), times the layer's opacity.
 *
 * <p>ImageJ saves an overlay's image layer (in a TIFF or ROI file) as plain RGB with one
 * "zero is transparent" flag; the alpha would be lost and the whole layer painted opaque. So the
 * saved form, and {@link #getProcessor()}, keep the colours where the alpha is at least one half
 * (the map at ≥ {@code ALPHA_RAMP / 2} of its maximum) and are zero, thus transparent,
 * elsewhere: a documented threshold where the ramp cannot be kept.
 */
public class HeatmapRoi extends ImageRoi {

    private final BufferedImage argb;

    public HeatmapRoi(int x, int y, BufferedImage argb) {
        super(x, y, argb);
        this.argb = argb;
    }

    /** The layer's colours without alpha: those where the alpha is ≥ 1/2, black (transparent) elsewhere. */
    @Override
    public ImageProcessor getProcessor() {
        int w = argb.getWidth();
        int h = argb.getHeight();
        int[] px = argb.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < px.length; i++) {
            px[i] = (px[i] >>> 24) >= 128 ? px[i] & 0xffffff : 0;
        }
        return new ColorProcessor(w, h, px);
    }

    /** Always true: transparency is the alpha when drawn, and black in the saved colours. */
    @Override
    public boolean getZeroTransparent() {
        return true;
    }

    @Override
    public byte[] getSerializedImage() {
        return new FileSaver(new ImagePlus("", getProcessor())).serialize();
    }
}
