package org.cnnexplain.explain;

import java.util.List;
import org.cnnexplain.image.Resampling;

/**
 * A stack of maps with a label each: one map per sample (CAM methods) or per
 * channel / neuron (Feature Maps, Deconvnet). A map is a plane, or for a 3-D
 * model a volume of {@code depth} planes. Values are raw (after the method's
 * ReLU, before any display scaling), row-major, plane after plane.
 *
 * <pre>{@code
 * MapStack m = new MapStack(data, 2, 4, 8, 8, List.of("a", "b"));   // two 4 x 8 x 8 volumes
 * m.planes();                        // 8
 * m.planeLabel(5);                   // "b z=2"
 * m.resized(8, 32, 32);              // trilinear, to the input stack
 * }</pre>
 *
 * <p>Attributions in input space of a C-channel input keep the channels: {@code channels = C}
 * maps per neuron, neuron after neuron (map {@code n * C + c} is neuron n, input channel c);
 * {@link #combined()} folds them into one map per neuron for a picture.
 *
 * @param data     {@code count * depth * height * width} values
 * @param labels   one label per map, e.g. "mitotic" or "channel 12 (max 3.41)"
 * @param channels maps per group that are the input channels of one attribution (1: no channel axis)
 */
public record MapStack(float[] data, int count, int depth, int height, int width, List<String> labels,
                       int channels) {

    public MapStack {
        if (data.length != count * depth * height * width || labels.size() != count || channels < 1
                || count % channels != 0) {
            throw new IllegalArgumentException("inconsistent map stack");
        }
    }

    private static final String CHANNEL_TAG = " [input channel ";

    /**
     * Maps that keep the input's channels: {@code back} is (n, C, ...) for n neurons, labelled
     * {@code neurons}; each label gains " [input channel c]" (1-based, as ImageJ counts) when C > 1.
     */
    public static MapStack perChannel(float[] back, int neurons, int inputChannels, int[] size, List<String> labels) {
        List<String> names = new java.util.ArrayList<>();
        for (String label : labels) {
            for (int c = 0; c < inputChannels; c++) {
                names.add(inputChannels == 1 ? label : label + CHANNEL_TAG + (c + 1) + "]");
            }
        }
        return new MapStack(back, neurons * inputChannels, size[0], size[1], size[2], names, inputChannels);
    }

    /** Maps without a channel axis. */
    public MapStack(float[] data, int count, int depth, int height, int width, List<String> labels) {
        this(data, count, depth, height, width, labels, 1);
    }

    /** A stack of 2-D maps. */
    public MapStack(float[] data, int count, int height, int width, List<String> labels) {
        this(data, count, 1, height, width, labels);
    }

    /**
     * One map per neuron: the maximum over input channels of |value| (a channel's attribution of
     * either sign counts, and one strong stain is not diluted by the others as in a sum).
     * Without a channel axis, the maps themselves.
     */
    public MapStack combined() {
        if (channels == 1) {
            return this;
        }
        int size = depth * height * width;
        int groups = count / channels;
        float[] out = new float[groups * size];
        List<String> names = new java.util.ArrayList<>();
        for (int n = 0; n < groups; n++) {
            for (int c = 0; c < channels; c++) {
                int from = (n * channels + c) * size;
                for (int i = 0; i < size; i++) {
                    out[n * size + i] = Math.max(out[n * size + i], Math.abs(data[from + i]));
                }
            }
            String first = labels.get(n * channels);
            int cut = first.lastIndexOf(CHANNEL_TAG);
            names.add((cut < 0 ? first : first.substring(0, cut)) + " (max |.| over input channels)");
        }
        return new MapStack(out, groups, depth, height, width, names);
    }

    /** Number of planes: {@code count * depth}. */
    public int planes() {
        return count * depth;
    }

    /** Plane {@code k} of all {@link #planes()}. */
    public float[] plane(int k) {
        return java.util.Arrays.copyOfRange(data, k * height * width, (k + 1) * height * width);
    }

    /** The label of plane {@code k}: its map's label, with " z=…" for volumes. */
    public String planeLabel(int k) {
        String label = labels.get(k / depth);
        return depth == 1 ? label : label + " z=" + (k % depth + 1);
    }

    /** Every 2-D map resampled bilinearly (half-pixel centres) to {@code h} × {@code w}. */
    public MapStack resized(int h, int w) {
        return resized(depth, h, w);
    }

    /** Every map resampled linearly (bi- or trilinear, half-pixel centres) to {@code d} × {@code h} × {@code w}. */
    public MapStack resized(int d, int h, int w) {
        if (d == depth && h == height && w == width) {
            return this;
        }
        int[] from = {depth, height, width};
        int[] to = {d, h, w};
        int inSize = depth * height * width;
        float[] out = new float[count * d * h * w];
        for (int k = 0; k < count; k++) {
            float[] one = java.util.Arrays.copyOfRange(data, k * inSize, (k + 1) * inSize);
            System.arraycopy(Resampling.linear(one, from, to), 0, out, k * d * h * w, d * h * w);
        }
        return new MapStack(out, count, d, h, w, labels, channels);
    }

    /** The first {@code n} maps (a multiple of {@link #channels()}). */
    public MapStack first(int n) {
        return new MapStack(java.util.Arrays.copyOf(data, n * depth * height * width), n, depth, height, width,
                labels.subList(0, n), channels);
    }

    /** Maps {@code from} to {@code from + n} (of a batch's stack with one map per sample: sample {@code from}'s). */
    public MapStack part(int from, int n) {
        int size = depth * height * width;
        return new MapStack(java.util.Arrays.copyOfRange(data, from * size, (from + n) * size), n, depth, height, width,
                labels.subList(from, from + n), channels);
    }

    /** The top-left {@code d} × {@code h} × {@code w} of every map (what covers the image of a padded input). */
    public MapStack cropped(int d, int h, int w) {
        if (d == depth && h == height && w == width) {
            return this;
        }
        float[] out = new float[count * d * h * w];
        int o = 0;
        for (int k = 0; k < count; k++) {
            for (int z = 0; z < d; z++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(data, ((k * depth + z) * height + y) * width, out, o, w);
                    o += w;
                }
            }
        }
        return new MapStack(out, count, d, h, w, labels);
    }
}
