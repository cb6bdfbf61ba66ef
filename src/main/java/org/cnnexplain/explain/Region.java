package org.cnnexplain.explain;

import org.cnnexplain.UserError;

/**
 * Where a segmentation target sums its class's output: a binary mask over the
 * image (a Fiji ROI, a mask file's non-zero pixels). The model's output may have
 * another size (the image was resized to fit, or the output is coarser); the mask
 * is then sampled at the centres of the output's pixels, so it covers the same
 * part of the image.
 *
 * <pre>{@code
 * Region r = Region.box(128, 128, 40, 30, 20, 16);   // x 40..59, y 30..45
 * boolean[] inside = r.sample(64, 64);                 // at half the resolution
 * }</pre>
 *
 * @param mask   width × height, row-major, true inside
 * @param name   how labels call it, e.g. "ROI" or "mask.tif"
 */
public record Region(boolean[] mask, int width, int height, String name) {

    public Region {
        if (mask.length != width * height) {
            throw new IllegalArgumentException("mask size");
        }
        boolean any = false;
        for (boolean b : mask) {
            any |= b;
        }
        if (!any) {
            throw new UserError("the region '" + name + "' is empty: draw an ROI (or give a mask) with at least one pixel");
        }
    }

    /** A rectangle of an image of {@code width} × {@code height}. */
    public static Region box(int width, int height, int x, int y, int w, int h) {
        boolean[] m = new boolean[width * height];
        for (int j = Math.max(0, y); j < Math.min(height, y + h); j++) {
            for (int i = Math.max(0, x); i < Math.min(width, x + w); i++) {
                m[j * width + i] = true;
            }
        }
        return new Region(m, width, height, "ROI");
    }

    /** The mask at {@code w} × {@code h} (nearest pixel centre); the mask itself when the size matches. */
    public boolean[] sample(int w, int h) {
        if (w == width && h == height) {
            return mask;
        }
        boolean[] out = new boolean[w * h];
        for (int y = 0; y < h; y++) {
            int sy = Math.min(height - 1, (int) ((y + 0.5) * height / h));
            for (int x = 0; x < w; x++) {
                int sx = Math.min(width - 1, (int) ((x + 0.5) * width / w));
                out[y * w + x] = mask[sy * width + sx];
            }
        }
        return out;
    }
}
