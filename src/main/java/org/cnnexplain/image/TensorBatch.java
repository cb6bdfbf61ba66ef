package org.cnnexplain.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import org.cnnexplain.UserError;
import org.cnnexplain.graph.Tensors;

/**
 * The samples of one image, ready for a model, channels mapped and normalised:
 * for a 2-D model every (z, t) plane is one sample of a batch (N, C, H, W); for a
 * 3-D model every time point's z-stack is one sample of (N, C, D, H, W), normalised
 * over the whole stack.
 *
 * <pre>{@code
 * TensorBatch b = TensorBatch.of(img5d, 1, Normalization.of("model", spec));
 * b.size();                  // z * t samples
 * b.label(0);                // "z=1 t=1"
 * NDArray x = b.toNDArray(run);  // (N, 1, H, W)
 * TensorBatch v = TensorBatch.volumes(img5d, 1, norm);
 * v.toNDArray(run);          // (t, 1, z, H, W)
 * }</pre>
 */
public final class TensorBatch {

    private final float[] data;
    private final int n;
    private final int channels;
    private final int depth;
    private final int height;
    private final int width;
    private final List<String> labels;

    private TensorBatch(float[] data, int n, int channels, int depth, int height, int width, List<String> labels) {
        this.data = data;
        this.n = n;
        this.channels = channels;
        this.depth = depth;
        this.height = height;
        this.width = width;
        this.labels = labels;
    }

    /** {@code image} has axes (x, y, c, z, t), as {@link ImagePlusImgs#toFloat} makes them. */
    public static <T extends RealType<T>> TensorBatch of(RandomAccessibleInterval<T> image, int modelChannels,
                                                       Normalization normalization) {
        if (image.numDimensions() != 5) {
            throw new IllegalArgumentException("expected axes x, y, c, z, t");
        }
        int w = (int) image.dimension(0);
        int h = (int) image.dimension(1);
        int c = (int) image.dimension(2);
        int z = (int) image.dimension(3);
        int t = (int) image.dimension(4);
        checkNotEmpty(w, h);
        int[] map = ChannelMapping.map(c, modelChannels);
        int plane = w * h;
        int samples = z * t;
        float[] data = new float[Math.multiplyExact(samples * modelChannels, plane)];
        List<String> labels = new ArrayList<>();
        int s = 0;
        for (int ti = 0; ti < t; ti++) {
            for (int zi = 0; zi < z; zi++) {
                for (int m = 0; m < modelChannels; m++) {
                    float[] px = plane(image, map[m], zi, ti, w, h);
                    checkFinite(px, s);
                    System.arraycopy(px, 0, data, (s * modelChannels + m) * plane, plane);
                }
                normalization.apply(data, s * modelChannels * plane, modelChannels, plane);
                labels.add(samples == 1 ? "" : (z > 1 && t > 1 ? "z=" + (zi + 1) + " t=" + (ti + 1)
                        : z > 1 ? "z=" + (zi + 1) : "t=" + (ti + 1)));
                s++;
            }
        }
        return new TensorBatch(data, samples, modelChannels, 0, h, w, labels);
    }

    /** For a 3-D model: each time point's z-stack is one sample; {@code image} has axes (x, y, c, z, t). */
    public static <T extends RealType<T>> TensorBatch volumes(RandomAccessibleInterval<T> image, int modelChannels,
                                                            Normalization normalization) {
        int w = (int) image.dimension(0);
        int h = (int) image.dimension(1);
        int z = (int) image.dimension(3);
        int t = (int) image.dimension(4);
        checkNotEmpty(w, h);
        int[] map = ChannelMapping.map((int) image.dimension(2), modelChannels);
        int plane = w * h;
        int volume = Math.multiplyExact(z, plane);
        float[] data = new float[Math.multiplyExact(t * modelChannels, volume)];
        List<String> labels = new ArrayList<>();
        for (int ti = 0; ti < t; ti++) {
            for (int m = 0; m < modelChannels; m++) {
                float[] stack = new float[volume];
                for (int zi = 0; zi < z; zi++) {
                    System.arraycopy(plane(image, map[m], zi, ti, w, h), 0, stack, zi * plane, plane);
                }
                checkFinite(stack, ti);
                System.arraycopy(stack, 0, data, (ti * modelChannels + m) * volume, volume);
            }
            normalization.apply(data, ti * modelChannels * volume, modelChannels, volume);
            labels.add(t == 1 ? "" : "t=" + (ti + 1));
        }
        return new TensorBatch(data, t, modelChannels, z, h, w, labels);
    }

    private static <T extends RealType<T>> float[] plane(RandomAccessibleInterval<T> image, int c, int z, int t,
                                                          int w, int h) {
        float[] px = new float[w * h];
        var cursor = Views.flatIterable(Views.hyperSlice(Views.hyperSlice(Views.hyperSlice(image, 4, t), 3, z), 2, c))
                .cursor();
        int i = 0;
        while (cursor.hasNext()) {
            px[i++] = cursor.next().getRealFloat();
        }
        return px;
    }

    private static void checkNotEmpty(int w, int h) {
        if (w < 1 || h < 1) {
            throw new UserError("the image is empty (" + w + " x " + h + " pixels)");
        }
    }

    private static void checkFinite(float[] px, int sample) {
        for (float v : px) {
            if (!Float.isFinite(v)) {
                throw new UserError("the image has NaN or infinite pixels (sample " + (sample + 1)
                        + "); replace them first (Process › Math › Remove NaNs)");
            }
        }
    }

    public int size() {
        return n;
    }

    /** z-slices per sample for a 3-D model; 0 for a 2-D model's planes. */
    public int depth() {
        return depth;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** "z=3", "t=2", "z=1 t=4", or "" for a single plane. */
    public String label(int sample) {
        return labels.get(sample);
    }

    /** Samples {@code from} (inclusive) to {@code to} (exclusive) as an (N, C, [D,] H, W) array in {@code manager}. */
    public NDArray toNDArray(NDManager manager, int from, int to) {
        int per = channels * Math.max(depth, 1) * height * width;
        float[] part = java.util.Arrays.copyOfRange(data, from * per, to * per);
        Shape shape = depth == 0 ? new Shape(to - from, channels, height, width)
                : new Shape(to - from, channels, depth, height, width);
        return Tensors.of(manager, part, shape);
    }

    /** Sample {@code s}'s values, (C, [D,] H, W) row-major: a copy. */
    public float[] sample(int s) {
        int per = channels * Math.max(depth, 1) * height * width;
        return java.util.Arrays.copyOfRange(data, s * per, (s + 1) * per);
    }

    public NDArray toNDArray(NDManager manager) {
        return toNDArray(manager, 0, n);
    }
}
