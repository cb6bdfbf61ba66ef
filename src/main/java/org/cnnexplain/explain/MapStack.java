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
 * @param data   {@code count * depth * height * width} values
 * @param labels one label per map, e.g. "mitotic" or "channel 12 (max 3.41)"
 */
public record MapStack(float[] data, int count, int depth, int height, int width, List<String> labels) {

    public MapStack {
        if (data.length != count * depth * height * width || labels.size() != count) {
            throw new IllegalArgumentException("inconsistent map stack");
        }
    }

    /** A stack of 2-D maps. */
    public MapStack(float[] data, int count, int height, int width, List<String> labels) {
        this(data, count, 1, height, width, labels);
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
        return new MapStack(out, count, d, h, w, labels);
    }

    /** The first {@code n} maps. */
    public MapStack first(int n) {
        return new MapStack(java.util.Arrays.copyOf(data, n * depth * height * width), n, depth, height, width,
                labels.subList(0, n));
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
