package org.cnnexplain.cli;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import java.nio.file.Path;
import org.cnnexplain.UserError;
import org.cnnexplain.plugin.Rois;

/**
 * How the command line splits an image into the samples it explains one by one:
 * planes for a 2-D model, time points (z-stacks) for a 3-D model; and the
 * {@code --roi} mask as the ROI each sample carries.
 */
final class Samples {

    private Samples() {
    }

    /** The non-zero pixels of the mask file as an ROI for {@code image}; sizes must match. */
    static Roi maskRoi(Path mask, ImagePlus image) {
        ImagePlus m = ImageFiles.open(mask);
        if (m.getWidth() != image.getWidth() || m.getHeight() != image.getHeight()) {
            throw new UserError("the ROI mask " + mask.getFileName() + " is " + m.getWidth() + " x " + m.getHeight()
                    + " pixels, the image " + image.getTitle() + " is " + image.getWidth() + " x " + image.getHeight()
                    + "; give a mask of the image's size (non-zero = inside)");
        }
        return Rois.fromMask(m, mask.getFileName().toString());
    }

    /** Time point {@code t} (0-based) of {@code imp}, all its channels and slices: one sample of a 3-D model. */
    static ImagePlus frame(ImagePlus imp, int t) {
        if (imp.getNFrames() == 1) {
            return imp;
        }
        ImageStack stack = new ImageStack(imp.getWidth(), imp.getHeight());
        for (int z = 1; z <= imp.getNSlices(); z++) {
            for (int c = 1; c <= imp.getNChannels(); c++) {
                stack.addSlice(imp.getStack().getProcessor(imp.getStackIndex(c, z, t + 1)));
            }
        }
        ImagePlus f = new ImagePlus(imp.getTitle(), stack);
        f.setDimensions(imp.getNChannels(), imp.getNSlices(), 1);
        f.setCalibration(imp.getCalibration().copy());
        return f;
    }

    /** Plane {@code s} (z fastest, then t) of {@code imp}, all its channels, as its own image. */
    static ImagePlus plane(ImagePlus imp, int s) {
        if (imp.getNSlices() * imp.getNFrames() == 1) {
            return imp;
        }
        int z = s % imp.getNSlices() + 1;
        int t = s / imp.getNSlices() + 1;
        ImageStack stack = new ImageStack(imp.getWidth(), imp.getHeight());
        for (int c = 1; c <= imp.getNChannels(); c++) {
            stack.addSlice(imp.getStack().getProcessor(imp.getStackIndex(c, z, t)));
        }
        ImagePlus p = new ImagePlus(imp.getTitle(), stack);
        p.setDimensions(imp.getNChannels(), 1, 1);
        p.setCalibration(imp.getCalibration().copy());
        return p;
    }

    /**
     * Which plane sample {@code s} is, as the Fiji commands label it: "z=3", "t=2", or "z=3 t=2"
     * (a 3-D model's samples are time points).
     */
    static String label(ImagePlus imp, int s, boolean volumes) {
        if (volumes) {
            return "t=" + (s + 1);
        }
        int z = imp.getNSlices();
        int t = imp.getNFrames();
        if (z > 1 && t > 1) {
            return "z=" + (s % z + 1) + " t=" + (s / z + 1);
        }
        return z > 1 ? "z=" + (s + 1) : "t=" + (s + 1);
    }
}
