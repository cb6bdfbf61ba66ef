package org.cnnexplain.plugin;

import ij.ImagePlus;
import ij.ImageStack;
import ij.VirtualStack;
import ij.gui.Roi;
import ij.measure.Calibration;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import java.awt.Rectangle;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.MapStack;
import org.cnnexplain.image.ChannelMapping;
import org.cnnexplain.image.ImageLimits;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.tile.ClassMap;
import org.cnnexplain.tile.TiledRun;
import org.scijava.app.StatusService;

/**
 * What the commands need for {@code fit=tile} on ImageJ images: the part of the image to tile (an
 * area ROI's bounding box, else all of it), one plane of it as a field (normalised tile by tile,
 * each tile as the model's sample), progress in the status bar, and the
 * result images: stitched maps without extra copies, and the class map as a stack whose planes are
 * interpolated when read (a 8192² field of 4 classes would otherwise hold 1 GB of floats).
 */
final class Tiles {

    private Tiles() {
    }

    /** The bounding box of the image's area ROI, clipped to the image; the whole image without one. */
    static Rectangle box(ImagePlus image) {
        Roi roi = image.getRoi();
        Rectangle all = new Rectangle(0, 0, image.getWidth(), image.getHeight());
        if (roi == null || !roi.isArea()) {
            return all;
        }
        Rectangle b = roi.getBounds().intersection(all);
        if (b.isEmpty()) {
            throw new UserError("the ROI on '" + image.getTitle() + "' lies outside the image");
        }
        return b;
    }

    /** 2-D sample {@code s} (a z/t plane) of {@code image} inside {@code box}, channels mapped; each tile normalised by {@code norm}. */
    static TiledRun.Field field(ImagePlus image, int s, Rectangle box, int modelChannels, Normalization norm) {
        ImageLimits.check(box.width, box.height, modelChannels, 2);   // the field, and one stitched map
        boolean rgb = image.getType() == ImagePlus.COLOR_RGB;
        int[] map = ChannelMapping.map(rgb ? 3 : image.getNChannels(), modelChannels);
        int z = s % image.getNSlices();
        int t = s / image.getNSlices();
        int plane = box.width * box.height;
        float[] data = new float[Math.multiplyExact(modelChannels, plane)];
        for (int m = 0; m < modelChannels; m++) {
            ImageProcessor ip = image.getStack().getProcessor(image.getStackIndex(rgb ? 1 : map[m] + 1, z + 1, t + 1));
            ip.setRoi(box);
            ImageProcessor part = ip.crop();
            ip.resetRoi();
            float[] px = rgb ? (float[]) ((ColorProcessor) part).getChannel(map[m] + 1, null).convertToFloatProcessor()
                    .getPixels() : (float[]) part.convertToFloatProcessor().getPixels();
            for (float v : px) {
                if (!Float.isFinite(v)) {
                    throw new UserError("the image has NaN or infinite pixels (plane " + (s + 1)
                            + "); replace them first (Process › Math › Remove NaNs)");
                }
            }
            System.arraycopy(px, 0, data, m * plane, plane);
        }
        return new TiledRun.Field(data, modelChannels, box.width, box.height, norm);
    }

    /** "z=3", "t=2", "z=1 t=4", or "" for a single plane, as {@link org.cnnexplain.image.TensorBatch} labels them. */
    static String planeLabel(ImagePlus image, int s) {
        int z = image.getNSlices();
        int t = image.getNFrames();
        if (z * t == 1) {
            return "";
        }
        return z > 1 && t > 1 ? "z=" + (s % z + 1) + " t=" + (s / z + 1) : z > 1 ? "z=" + (s + 1) : "t=" + (s + 1);
    }

    /** Progress in the status bar ("Grad-CAM: tiles 40/225"), cancelling when {@code cancelled} says so. */
    static TiledRun.Listener listener(StatusService status, String title, BooleanSupplier cancelled) {
        return new TiledRun.Listener() {
            @Override
            public void tiles(int done, int total) {
                if (status != null) {
                    status.showStatus(done, total, title + ": tiles " + done + "/" + total);
                }
            }

            @Override
            public boolean cancelled() {
                return cancelled.getAsBoolean();
            }
        };
    }

    /** Calibration of a result covering {@code box} of {@code image}. */
    static Calibration calibration(ImagePlus image, Rectangle box) {
        Calibration cal = image.getCalibration().copy();
        cal.xOrigin -= box.x;
        cal.yOrigin -= box.y;
        return cal;
    }

    /** Maps as a 32-bit stack, the planes' arrays used as they are (no copy of a full-size map). */
    static ImagePlus stack(List<MapStack> perPlane, List<String> planeLabels, String title, Calibration cal) {
        MapStack first = perPlane.get(0);
        ImageStack stack = new ImageStack(first.width(), first.height());
        float min = 0;
        float max = 0;
        for (int s = 0; s < perPlane.size(); s++) {
            MapStack m = perPlane.get(s);
            int size = m.width() * m.height();
            for (int k = 0; k < m.planes(); k++) {
                float[] px = m.planes() == 1 ? m.data() : java.util.Arrays.copyOfRange(m.data(), k * size, (k + 1) * size);
                for (float v : px) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                String label = planeLabels.get(s);
                stack.addSlice(label.isEmpty() ? m.planeLabel(k) : label + ": " + m.planeLabel(k),
                        new FloatProcessor(m.width(), m.height(), px));
            }
        }
        ImagePlus imp = new ImagePlus(title, stack);
        imp.setCalibration(cal);
        imp.setDisplayRange(min, max > min ? max : min + 1);
        return imp;
    }

    /**
     * The class maps of every plane as one stack, a slice per plane and class labelled with the class
     * name ("z=2: mitotic"), showing class {@code shown} through {@code lut}.
     */
    static ImagePlus classMaps(List<ClassMap> perPlane, List<String> planeLabels, String title, Calibration cal,
                               int shown, java.awt.image.IndexColorModel lut) {
        ClassMap first = perPlane.get(0);
        int k = first.classes().size();
        ImagePlus imp = new ImagePlus(title, new ClassMapStack(perPlane, planeLabels));
        imp.setCalibration(cal);
        imp.setDisplayRange(0, 1);
        if (lut != null) {
            imp.getProcessor().setColorModel(lut);
            imp.getStack().setColorModel(lut);
        }
        imp.setSlice(shown + 1);
        return imp;
    }

    /** Slices computed when read: the class map's planes at full size, one at a time. */
    private static final class ClassMapStack extends VirtualStack {
        private final List<ClassMap> maps;
        private final String[] labels;

        ClassMapStack(List<ClassMap> maps, List<String> planeLabels) {
            super(maps.get(0).grid().width(), maps.get(0).grid().height(), null, null);
            this.maps = maps;
            int k = maps.get(0).classes().size();
            labels = new String[maps.size() * k];
            for (int s = 0; s < maps.size(); s++) {
                for (int c = 0; c < k; c++) {
                    String name = maps.get(s).classes().get(c);
                    labels[s * k + c] = planeLabels.get(s).isEmpty() ? name : planeLabels.get(s) + ": " + name;
                }
            }
        }

        @Override
        public ImageProcessor getProcessor(int n) {
            int k = maps.get(0).classes().size();
            ClassMap m = maps.get((n - 1) / k);
            FloatProcessor fp = new FloatProcessor(getWidth(), getHeight(), m.plane((n - 1) % k));
            fp.setMinAndMax(0, 1);
            if (getColorModel() != null) {
                fp.setColorModel(getColorModel());
            }
            return fp;
        }

        @Override
        public Object getPixels(int n) {
            return getProcessor(n).getPixels();
        }

        @Override
        public int getSize() {
            return labels.length;
        }

        @Override
        public String getSliceLabel(int n) {
            return labels[n - 1];
        }

        @Override
        public String[] getSliceLabels() {
            return labels.clone();
        }

        @Override
        public int getBitDepth() {
            return 32;
        }
    }
}
