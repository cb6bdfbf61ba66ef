package org.cnnexplain.explain;

import java.util.List;
import org.cnnexplain.image.Resampling;

/**
 * A stack of 2-D maps with a label each: one map per sample (CAM methods) or
 * per channel / neuron (Feature Maps, Deconvnet). Values are raw (after the
 * method's ReLU, before any display scaling), row-major, plane after plane.
 *
 * @param data   {@code count * height * width} values
 * @param labels one label per map, e.g. "mitotic" or "channel 12 (max 3.41)"
 */
public record MapStack(float[] data, int count, int height, int width, List<String> labels) {

    public MapStack {
        if (data.length != count * height * width || labels.size() != count) {
            throw new IllegalArgumentException("inconsistent map stack");
        }
    }

    public float[] plane(int k) {
        return java.util.Arrays.copyOfRange(data, k * height * width, (k + 1) * height * width);
    }

    /** Every map resampled bilinearly (half-pixel centres) to {@code h} × {@code w}. */
    public MapStack resized(int h, int w) {
        if (h == height && w == width) {
            return this;
        }
        return new MapStack(Resampling.bilinearStack(data, count, width, height, w, h), count, h, w, labels);
    }
}
