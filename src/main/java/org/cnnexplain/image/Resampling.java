package org.cnnexplain.image;

import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;

/**
 * Bilinear resampling with half-pixel centres: torch's
 * {@code interpolate(mode="bilinear", align_corners=False)}, OpenCV's {@code INTER_LINEAR}.
 *
 * <p>Output pixel {@code i} samples the input at {@code (i + 0.5) * in / out - 0.5},
 * clamped to the first pixel; so a 16 × 16 map upsampled to 128 × 128 is
 * aligned with the image the way the network's receptive fields are.
 *
 * <pre>{@code
 * float[] big = Resampling.bilinear(map, 16, 16, 128, 128);
 * }</pre>
 */
public final class Resampling {

    private Resampling() {
    }

    /** Resamples one row-major plane of {@code inW} × {@code inH} to {@code outW} × {@code outH}. */
    public static float[] bilinear(float[] in, int inW, int inH, int outW, int outH) {
        int[] x0 = new int[outW];
        int[] x1 = new int[outW];
        float[] fx = new float[outW];
        axis(inW, outW, x0, x1, fx);
        int[] y0 = new int[outH];
        int[] y1 = new int[outH];
        float[] fy = new float[outH];
        axis(inH, outH, y0, y1, fy);
        float[] out = new float[outW * outH];
        for (int y = 0; y < outH; y++) {
            int r0 = y0[y] * inW;
            int r1 = y1[y] * inW;
            for (int x = 0; x < outW; x++) {
                float top = in[r0 + x0[x]] * (1 - fx[x]) + in[r0 + x1[x]] * fx[x];
                float bottom = in[r1 + x0[x]] * (1 - fx[x]) + in[r1 + x1[x]] * fx[x];
                out[y * outW + x] = top * (1 - fy[y]) + bottom * fy[y];
            }
        }
        return out;
    }

    /**
     * The two source pixels and the weight of the second for every output pixel along one axis:
     * output {@code i} is {@code in[lo[i]] * (1 - frac[i]) + in[hi[i]] * frac[i]}, evaluated in float32
     * in exactly that order (so that another implementation can reproduce {@link #linear} bit for bit).
     */
    public record Axis(int[] lo, int[] hi, float[] frac) {
    }

    public static Axis axis(int in, int out) {
        Axis a = new Axis(new int[out], new int[out], new float[out]);
        axis(in, out, a.lo(), a.hi(), a.frac());
        return a;
    }

    /** Source indices and weights along one axis, as torch computes them (float32 scale). */
    private static void axis(int in, int out, int[] i0, int[] i1, float[] frac) {
        float scale = (float) in / out;
        for (int i = 0; i < out; i++) {
            float src = Math.max(0f, (i + 0.5f) * scale - 0.5f);
            int lo = Math.min((int) src, in - 1);
            i0[i] = lo;
            i1[i] = Math.min(lo + 1, in - 1);
            frac[i] = src - lo;
        }
    }

    /**
     * Resamples one row-major array of size {@code in} (e.g. {d, h, w}) to {@code out}, linearly along
     * every axis with half-pixel centres: torch's trilinear interpolation for three axes. Axes of equal
     * size are copied.
     */
    public static float[] linear(float[] data, int[] in, int[] out) {
        int[] size = in.clone();
        for (int axis = 0; axis < in.length; axis++) {
            if (size[axis] != out[axis]) {
                data = alongAxis(data, size, axis, out[axis]);
                size[axis] = out[axis];
            }
        }
        return data;
    }

    private static float[] alongAxis(float[] data, int[] size, int axis, int outLen) {
        int inLen = size[axis];
        int outer = 1;
        for (int a = 0; a < axis; a++) {
            outer *= size[a];
        }
        int inner = 1;
        for (int a = axis + 1; a < size.length; a++) {
            inner *= size[a];
        }
        int[] i0 = new int[outLen];
        int[] i1 = new int[outLen];
        float[] f = new float[outLen];
        axis(inLen, outLen, i0, i1, f);
        float[] result = new float[outer * outLen * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < outLen; i++) {
                int a = (o * inLen + i0[i]) * inner;
                int b = (o * inLen + i1[i]) * inner;
                int dst = (o * outLen + i) * inner;
                for (int p = 0; p < inner; p++) {
                    result[dst + p] = data[a + p] * (1 - f[i]) + data[b + p] * f[i];
                }
            }
        }
        return result;
    }

    /** Resamples each of {@code count} stacked planes. */
    public static float[] bilinearStack(float[] in, int count, int inW, int inH, int outW, int outH) {
        float[] out = new float[count * outW * outH];
        int inPlane = inW * inH;
        for (int k = 0; k < count; k++) {
            float[] plane = java.util.Arrays.copyOfRange(in, k * inPlane, (k + 1) * inPlane);
            System.arraycopy(bilinear(plane, inW, inH, outW, outH), 0, out, k * outW * outH, outW * outH);
        }
        return out;
    }

    /** Every (c, z, t) plane of an (x, y, c, z, t) image resampled to {@code w} × {@code h}. */
    public static ArrayImg<FloatType, FloatArray> resize(ArrayImg<FloatType, FloatArray> img, int w, int h) {
        int inW = (int) img.dimension(0);
        int inH = (int) img.dimension(1);
        long planes = img.size() / ((long) inW * inH);
        float[] in = img.update(null).getCurrentStorageArray();
        float[] out = bilinearStack(in, (int) planes, inW, inH, w, h);
        return ArrayImgs.floats(out, w, h, img.dimension(2), img.dimension(3), img.dimension(4));
    }
}
