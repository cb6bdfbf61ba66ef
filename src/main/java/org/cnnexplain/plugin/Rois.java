package org.cnnexplain.plugin;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.plugin.filter.ThresholdToSelection;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;
import java.awt.Rectangle;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.Region;

/**
 * ImageJ ROIs as {@link Region}s of segmentation targets, and mask images as ROIs
 * (how the command line's {@code --roi mask.tif} reaches the commands).
 */
public final class Rois {

    private Rois() {
    }

    /** The image's area ROI as a region, or null when it has none (the predicted class region is then used). */
    public static Region region(ImagePlus image) {
        Roi roi = image.getRoi();
        if (roi == null) {
            return null;
        }
        if (!roi.isArea()) {
            throw new UserError("the ROI on '" + image.getTitle() + "' is a " + roi.getTypeAsString()
                    + "; a segmentation target needs an area (rectangle, oval, polygon, freehand) or no ROI");
        }
        int w = image.getWidth();
        int h = image.getHeight();
        boolean[] mask = new boolean[w * h];
        Rectangle b = roi.getBounds();
        ImageProcessor m = roi.getMask();   // null for a rectangle
        for (int y = Math.max(0, b.y); y < Math.min(h, b.y + b.height); y++) {
            for (int x = Math.max(0, b.x); x < Math.min(w, b.x + b.width); x++) {
                mask[y * w + x] = m == null || m.get(x - b.x, y - b.y) != 0;
            }
        }
        return new Region(mask, w, h, roi.getName() != null ? roi.getName() : "ROI");
    }

    /** The non-zero pixels of {@code mask} (first plane) as an ROI named {@code name}. */
    public static Roi fromMask(ImagePlus mask, String name) {
        ImageProcessor ip = mask.getProcessor();
        ByteProcessor binary = new ByteProcessor(ip.getWidth(), ip.getHeight());
        boolean any = false;
        for (int i = 0; i < ip.getPixelCount(); i++) {
            if (ip.getf(i) != 0) {
                binary.set(i, 255);
                any = true;
            }
        }
        if (!any) {
            throw new UserError("the mask '" + name + "' has no non-zero pixel");
        }
        binary.setThreshold(255, 255, ImageProcessor.NO_LUT_UPDATE);
        Roi roi = new ThresholdToSelection().convert(binary);
        roi.setName(name);
        return roi;
    }
}
