package org.cnnexplain.image;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.cnnexplain.UserError;
import org.cnnexplain.model.ModelSpec;

/**
 * bioimage.io pre- and postprocessing: the steps of a package's {@code preprocessing} (or
 * {@code postprocessing}) applied in order to one sample, a (C, spatial...) block of floats.
 * Each op computes what the bioimage.io spec (0.4 and 0.5) defines:
 *
 * <ul>
 *   <li>{@code scale_linear}: out = x * gain + offset (gain/offset a number or one value per channel);</li>
 *   <li>{@code scale_range}: out = (x - p_lo) / (p_hi - p_lo + eps), p the {@code min_percentile} (default 0)
 *       and {@code max_percentile} (default 100) of x, eps default 1e-6, percentiles interpolated linearly
 *       (numpy's default);</li>
 *   <li>{@code zero_mean_unit_variance}: out = (x - mean(x)) / (std(x) + eps), std with ddof 0, eps default 1e-6;</li>
 *   <li>{@code fixed_zero_mean_unit_variance} (0.4: {@code zero_mean_unit_variance} mode fixed):
 *       out = (x - mean) / (std + eps) with the given mean and std, eps default 1e-6;</li>
 *   <li>{@code clip}: out = min(max(x, min), max);</li>
 *   <li>{@code binarize}: out = 1 where x > threshold, else 0;</li>
 *   <li>{@code sigmoid}: out = 1 / (1 + exp(-x));</li>
 *   <li>{@code softmax}: out_c = exp(x_c) / sum_k exp(x_k) over the channel axis;</li>
 *   <li>{@code ensure_dtype}: cast: float32/float64 keep the value (the engine computes in float32);
 *       integer types truncate towards zero and clamp to the type's range; bool is x != 0.</li>
 * </ul>
 *
 * Statistics ({@code scale_range}, {@code zero_mean_unit_variance}) are taken over the {@code axes}
 * the step names: without {@code channel} in them each channel on its own, with it (or with no
 * {@code axes}, which means all axes) over the whole sample. Mode {@code per_dataset} (0.4) uses the
 * statistics of the sample at hand: cnn-explain sees one image, not the training set.
 *
 * <pre>{@code
 * Preprocessing p = Preprocessing.of(List.of(new ModelSpec.Processing("scale_linear",
 *         Map.of("gain", 2.0, "offset", 1.0))));
 * float[] x = {0, 1, 2};
 * p.apply(x, 0, 1, 3);   // x = {1, 3, 5}
 * }</pre>
 */
public final class Preprocessing {

    private static final double EPS = 1e-6;

    private final List<ModelSpec.Processing> steps;

    private Preprocessing(List<ModelSpec.Processing> steps) {
        this.steps = List.copyOf(steps);
    }

    public static Preprocessing of(List<ModelSpec.Processing> steps) {
        return new Preprocessing(steps == null ? List.of() : steps);
    }

    /** Whether a step scales by the sample's own statistics ({@code scale_range}, {@code zero_mean_unit_variance}). */
    public boolean usesImageStatistics() {
        return steps.stream().anyMatch(s -> s.op().equals("scale_range") || s.op().equals("zero_mean_unit_variance"));
    }

    /** "zero_mean_unit_variance, clip" or "none". */
    public String describe() {
        return steps.isEmpty() ? "none" : steps.stream().map(ModelSpec.Processing::op).collect(Collectors.joining(", "));
    }

    /**
     * Applies every step in place to {@code channels} x {@code size} values of {@code data} starting at
     * {@code offset} (channel-major, as one sample of an (N, C, ...) tensor).
     */
    public void apply(float[] data, int offset, int channels, int size) {
        for (ModelSpec.Processing step : steps) {
            apply(step, data, offset, channels, size);
        }
    }

    private static void apply(ModelSpec.Processing step, float[] x, int offset, int channels, int size) {
        Map<String, Object> kw = step.kwargs() == null ? Map.of() : step.kwargs();
        int end = offset + channels * size;
        switch (step.op()) {
            case "scale_linear" -> {
                for (int c = 0; c < channels; c++) {
                    double gain = perChannel(kw, "gain", c, channels, 1.0);
                    double off = perChannel(kw, "offset", c, channels, 0.0);
                    for (int i = offset + c * size; i < offset + (c + 1) * size; i++) {
                        x[i] = (float) (x[i] * gain + off);
                    }
                }
            }
            case "scale_range" -> {
                refuseReference(kw, step.op());
                double lowP = number(kw, "min_percentile", 0.0);
                double highP = number(kw, "max_percentile", 100.0);
                double eps = number(kw, "eps", EPS);
                forEachGroup(kw, x, offset, channels, size, (from, to) -> {
                    float[] sorted = Arrays.copyOfRange(x, from, to);
                    Arrays.sort(sorted);
                    double lo = percentile(sorted, lowP);
                    double hi = percentile(sorted, highP);
                    for (int i = from; i < to; i++) {
                        x[i] = (float) ((x[i] - lo) / (hi - lo + eps));
                    }
                });
            }
            case "zero_mean_unit_variance" -> {
                double eps = number(kw, "eps", EPS);
                forEachGroup(kw, x, offset, channels, size, (from, to) -> {
                    double sum = 0;
                    for (int i = from; i < to; i++) {
                        sum += x[i];
                    }
                    double mean = sum / (to - from);
                    double sq = 0;
                    for (int i = from; i < to; i++) {
                        sq += (x[i] - mean) * (x[i] - mean);
                    }
                    double std = Math.sqrt(sq / (to - from));
                    for (int i = from; i < to; i++) {
                        x[i] = (float) ((x[i] - mean) / (std + eps));
                    }
                });
            }
            case "fixed_zero_mean_unit_variance" -> {
                double eps = number(kw, "eps", EPS);
                for (int c = 0; c < channels; c++) {
                    double mean = perChannel(kw, "mean", c, channels, Double.NaN);
                    double std = perChannel(kw, "std", c, channels, Double.NaN);
                    if (Double.isNaN(mean) || Double.isNaN(std)) {
                        throw new UserError("bioimage.io " + step.op() + " needs mean and std");
                    }
                    for (int i = offset + c * size; i < offset + (c + 1) * size; i++) {
                        x[i] = (float) ((x[i] - mean) / (std + eps));
                    }
                }
            }
            case "clip" -> {
                double min = number(kw, "min", Double.NEGATIVE_INFINITY);
                double max = number(kw, "max", Double.POSITIVE_INFINITY);
                for (int i = offset; i < end; i++) {
                    x[i] = (float) Math.min(Math.max(x[i], min), max);
                }
            }
            case "binarize" -> {
                for (int c = 0; c < channels; c++) {
                    double t = perChannel(kw, "threshold", c, channels, Double.NaN);
                    if (Double.isNaN(t)) {
                        throw new UserError("bioimage.io binarize needs a threshold");
                    }
                    for (int i = offset + c * size; i < offset + (c + 1) * size; i++) {
                        x[i] = x[i] > t ? 1f : 0f;
                    }
                }
            }
            case "sigmoid" -> {
                for (int i = offset; i < end; i++) {
                    x[i] = (float) (1.0 / (1.0 + Math.exp(-x[i])));
                }
            }
            case "softmax" -> softmax(kw, x, offset, channels, size);
            case "ensure_dtype" -> ensureDtype(String.valueOf(kw.get("dtype")), x, offset, end);
            case "scale_mean_variance" -> throw new UserError("bioimage.io scale_mean_variance scales to another"
                    + " tensor's statistics; cnn-explain has only one tensor, so it cannot apply it");
            default -> throw new UserError("unknown bioimage.io processing op '" + step.op() + "'");
        }
    }

    private static void softmax(Map<String, Object> kw, float[] x, int offset, int channels, int size) {
        Object axis = kw.get("axis");
        if (axis != null && !axis.equals("channel") && !axis.equals("c")) {
            throw new UserError("bioimage.io softmax over axis '" + axis + "' is not supported (valid: channel)");
        }
        for (int p = 0; p < size; p++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < channels; c++) {
                max = Math.max(max, x[offset + c * size + p]);
            }
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                sum += Math.exp(x[offset + c * size + p] - max);
            }
            for (int c = 0; c < channels; c++) {
                int i = offset + c * size + p;
                x[i] = (float) (Math.exp(x[i] - max) / sum);
            }
        }
    }

    private static void ensureDtype(String dtype, float[] x, int from, int to) {
        double[] range = switch (dtype) {
            case "float32", "float64" -> null;
            case "uint8" -> new double[] {0, 255};
            case "uint16" -> new double[] {0, 65535};
            case "uint32" -> new double[] {0, 4294967295.0};
            case "uint64" -> new double[] {0, 18446744073709551615.0};
            case "int8" -> new double[] {-128, 127};
            case "int16" -> new double[] {-32768, 32767};
            case "int32" -> new double[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
            case "int64" -> new double[] {Long.MIN_VALUE, Long.MAX_VALUE};
            case "bool" -> new double[] {0, 1};
            default -> throw new UserError("bioimage.io ensure_dtype: unknown dtype '" + dtype
                    + "' (valid: float32, float64, uint8-64, int8-64, bool)");
        };
        if (range == null) {
            return;
        }
        boolean bool = dtype.equals("bool");
        for (int i = from; i < to; i++) {
            double v = bool ? (x[i] != 0 ? 1 : 0) : (x[i] < 0 ? Math.ceil(x[i]) : Math.floor(x[i]));
            x[i] = (float) Math.min(Math.max(v, range[0]), range[1]);
        }
    }

    /** Calls {@code f(from, to)} once for the whole sample (channel among the axes) or once per channel. */
    private static void forEachGroup(Map<String, Object> kw, float[] x, int offset, int channels, int size, Range f) {
        Object axes = kw.get("axes");
        boolean joint = !(axes instanceof List<?> l) || l.contains("channel") || l.contains("c");
        if (joint) {
            f.on(offset, offset + channels * size);
        } else {
            for (int c = 0; c < channels; c++) {
                f.on(offset + c * size, offset + (c + 1) * size);
            }
        }
    }

    private interface Range {
        void on(int from, int to);
    }

    private static void refuseReference(Map<String, Object> kw, String op) {
        if (kw.get("reference_tensor") != null) {
            throw new UserError("bioimage.io " + op + " with reference_tensor '" + kw.get("reference_tensor")
                    + "' is not supported (cnn-explain has one tensor)");
        }
    }

    /** numpy.percentile's default ("linear"): interpolate between the two nearest ranks. */
    static double percentile(float[] sorted, double percent) {
        double pos = percent / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * ((double) sorted[hi] - sorted[lo]);
    }

    private static double number(Map<String, Object> kw, String key, double fallback) {
        Object v = kw.get(key);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new UserError("bioimage.io processing: " + key + " should be a number, found '" + v + "'");
    }

    /** A number, or a list with one value per channel (a list of one applies to all). */
    private static double perChannel(Map<String, Object> kw, String key, int c, int channels, double fallback) {
        Object v = kw.get(key);
        if (v instanceof List<?> list) {
            List<Object> flat = new ArrayList<>();
            flatten(list, flat);
            if (flat.size() != 1 && flat.size() != channels) {
                throw new UserError("bioimage.io processing: " + key + " has " + flat.size() + " values for "
                        + channels + " channel(s)");
            }
            Object e = flat.get(flat.size() == 1 ? 0 : c);
            if (!(e instanceof Number n)) {
                throw new UserError("bioimage.io processing: " + key + " should hold numbers, found '" + e + "'");
            }
            return n.doubleValue();
        }
        return number(kw, key, fallback);
    }

    private static void flatten(List<?> list, List<Object> out) {
        for (Object o : list) {
            if (o instanceof List<?> l) {
                flatten(l, out);
            } else {
                out.add(o);
            }
        }
    }
}
