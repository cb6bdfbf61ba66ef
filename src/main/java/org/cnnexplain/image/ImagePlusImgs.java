package org.cnnexplain.image;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;

/**
 * An ImageJ 1 image as a float ImgLib2 image with axes (x, y, c, z, t).
 *
 * <p>imglib2-ij is not on Maven Central, so this is the small copy-based
 * bridge the plugin needs. RGB images become three channels (R, G, B); 8- and
 * 16-bit values are taken as they are (no calibration function applied), so a
 * 16-bit image of counts stays counts.
 *
 * <pre>{@code
 * ArrayImg<FloatType, FloatArray> img = ImagePlusImgs.toFloat(IJ.openImage("cell.tif"));
 * img.dimension(2);   // channels
 * }</pre>
 */
public final class ImagePlusImgs {

    private ImagePlusImgs() {
    }

    public static ArrayImg<FloatType, FloatArray> toFloat(ImagePlus imp) {
        int w = imp.getWidth();
        int h = imp.getHeight();
        boolean rgb = imp.getType() == ImagePlus.COLOR_RGB;
        int c = rgb ? 3 : imp.getNChannels();
        int z = imp.getNSlices();
        int t = imp.getNFrames();
        float[] data = new float[Math.multiplyExact(Math.multiplyExact(w * h, c), z * t)];
        ImageStack stack = imp.getStack();
        int plane = w * h;
        for (int ti = 0; ti < t; ti++) {
            for (int zi = 0; zi < z; zi++) {
                for (int ci = 0; ci < (rgb ? 1 : c); ci++) {
                    ImageProcessor ip = stack.getProcessor(imp.getStackIndex(ci + 1, zi + 1, ti + 1));
                    if (rgb) {
                        ColorProcessor cp = (ColorProcessor) ip;
                        for (int k = 0; k < 3; k++) {
                            float[] px = toFloats(cp.getChannel(k + 1, null));
                            System.arraycopy(px, 0, data, offset(k, zi, ti, c, z, plane), plane);
                        }
                    } else {
                        float[] px = (float[]) ip.convertToFloatProcessor().getPixels();
                        System.arraycopy(px, 0, data, offset(ci, zi, ti, c, z, plane), plane);
                    }
                }
            }
        }
        return ArrayImgs.floats(data, w, h, c, z, t);
    }

    private static int offset(int ci, int zi, int ti, int c, int z, int plane) {
        return ((ti * z + zi) * c + ci) * plane;
    }

    private static float[] toFloats(ij.process.ByteProcessor bp) {
        byte[] b = (byte[]) bp.getPixels();
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            f[i] = b[i] & 0xff;
        }
        return f;
    }
}
