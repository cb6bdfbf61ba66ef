package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.UserError;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;

/**
 * A layer's activations A^k, one map per channel, with per-channel statistics
 * for sorting.
 *
 * <pre>{@code
 * FeatureMaps.Result r = FeatureMaps.compute(model, run, x, "block2", null, "max");
 * r.maps().labels().get(0);   // "channel 7 (mean 0.41, max 3.20, active 0.63)"
 * }</pre>
 */
public final class FeatureMaps {

    private FeatureMaps() {
    }

    /** Mean, maximum and fraction of positive positions of one channel. */
    public record ChannelStats(int channel, float mean, float max, float active) {
    }

    /** Maps of sample 0 (one per selected channel) at layer and input resolution, with stats in the same order. */
    public record Result(Layer layer, MapStack maps, MapStack inputMaps, List<ChannelStats> stats) {
    }

    /**
     * @param channels 0-based channels to keep, null for all
     * @param sort     {@code none}, {@code mean} or {@code max} (descending)
     */
    public static Result compute(ExplainableModel model, NDManager run, NDArray input, String layer, int[] channels,
                                 String sort) {
        Layer l = LayerChoice.spatial(model, layer, "Feature Maps", input.getShape().getShape());
        NDArray a = model.forward(run, input.get(0).expandDims(0), List.of(l.output())).tap(l.output());
        int c = (int) a.getShape().get(1);
        int[] size = CamMethod.spatialSize(a.getShape().getShape());
        int hw = size[0] * size[1] * size[2];
        float[] v = a.toFloatArray();
        int[] chosen = channels == null ? java.util.stream.IntStream.range(0, c).toArray() : checked(channels, c, l);
        List<ChannelStats> stats = new ArrayList<>();
        for (int k : chosen) {
            stats.add(stats(v, k, hw));
        }
        Comparator<ChannelStats> order = switch (sort == null ? "none" : sort.toLowerCase(Locale.ROOT)) {
            case "none" -> null;
            case "mean" -> Comparator.comparingDouble(ChannelStats::mean).reversed();
            case "max" -> Comparator.comparingDouble(ChannelStats::max).reversed();
            default -> throw new UserError("unknown sort '" + sort + "' (valid: none, mean, max)");
        };
        if (order != null) {
            stats.sort(order);
        }
        float[] data = new float[stats.size() * hw];
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < stats.size(); i++) {
            ChannelStats s = stats.get(i);
            System.arraycopy(v, s.channel() * hw, data, i * hw, hw);
            labels.add(String.format(Locale.ROOT, "channel %d (mean %.3g, max %.3g, active %.2f)",
                    s.channel(), s.mean(), s.max(), s.active()));
        }
        MapStack maps = new MapStack(data, stats.size(), size[0], size[1], size[2], labels);
        int[] in = CamMethod.spatialSize(input.getShape().getShape());
        return new Result(l, maps, maps.resized(in[0], in[1], in[2]), stats);
    }

    /** {@code channels}, each checked to be one of the layer's {@code c} channels. */
    public static int[] checked(int[] channels, int c, Layer l) {
        for (int k : channels) {
            if (k < 0 || k >= c) {
                throw new UserError("channel " + k + " is out of range: layer '" + l.name() + "' has " + c
                        + " channels, 0-" + (c - 1));
            }
        }
        return channels;
    }

    private static ChannelStats stats(float[] v, int k, int hw) {
        double sum = 0;
        float max = Float.NEGATIVE_INFINITY;
        int active = 0;
        for (int p = 0; p < hw; p++) {
            float x = v[k * hw + p];
            sum += x;
            max = Math.max(max, x);
            active += x > 0 ? 1 : 0;
        }
        return new ChannelStats(k, (float) (sum / hw), max, active / (float) hw);
    }
}
