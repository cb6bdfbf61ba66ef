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
 * @param bounds the region only bounds the default target instead of replacing it: the score sums
 *               the pixels predicted as the class inside it (the image within an input padded for
 *               the model), where an ROI sums all its pixels
 */
public record Region(boolean[] mask, int width, int height, String name, boolean bounds) {

    public Region(boolean[] mask, int width, int height, String name) {
        this(mask, width, height, name, false);
    }

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

    /**
     * This region inside a larger {@code w} × {@code h} canvas (the image padded at the bottom and right
     * for a model that takes multiples of a size): the added pixels are outside.
     */
    public Region grownTo(int w, int h) {
        boolean[] m = new boolean[w * h];
        for (int y = 0; y < height; y++) {
            System.arraycopy(mask, y * width, m, y * w, width);
        }
        return new Region(m, w, h, name, bounds);
    }

    /** The whole of a {@code width} × {@code height} image, as {@link #bounds() bounds} of the default target. */
    public static Region image(int width, int height) {
        boolean[] m = new boolean[width * height];
        java.util.Arrays.fill(m, true);
        return new Region(m, width, height, "image", true);
    }
}
