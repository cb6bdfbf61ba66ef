package org.cnnexplain.explain.maximize;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.explain.LayerChoice;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;

/**
 * The units a user's parameters name: {@code objective} {@code class} with {@code target} {@code all} or
 * a list of class names / indices; {@code channel} or {@code neuron} with a {@code layer} and either a
 * {@code channels} list or the {@code top} k — the k channels most active (largest maximum) on the given
 * images, or without images channels 0 to k − 1 — and for neurons {@code neuron} "x,y" in the layer's grid
 * (empty: the centre).
 *
 * <pre>{@code
 * UnitChoice.of(model, "channel", null, "block4", "", 8, "", List.of(batch));   // the 8 strongest channels
 * UnitChoice.of(model, "class", "mitotic,empty", null, null, 0, null, List.of());
 * }</pre>
 */
public final class UnitChoice {

    public static final String ALL = "all";

    private UnitChoice() {
    }

    public static List<Unit> of(ExplainableModel model, String objective, String target, String layer,
                                String channels, int top, String neuron, List<TensorBatch> images) {
        String kind = objective == null ? "channel" : objective.trim().toLowerCase(Locale.ROOT);
        return switch (kind) {
            case "class" -> classes(model, target);
            case "channel", "neuron" -> channels(model, kind.equals("neuron"), layer, channels, top, neuron, images);
            default -> throw new UserError("unknown objective '" + objective + "' (valid: channel, neuron, class)");
        };
    }

    static List<Unit> classes(ExplainableModel model, String target) {
        List<String> names = model.classNames();
        List<Unit> out = new ArrayList<>();
        String t = target == null || target.isBlank() || target.trim().equalsIgnoreCase("top1") ? ALL : target.trim();
        if (t.equalsIgnoreCase(ALL)) {
            for (int k = 0; k < names.size(); k++) {
                out.add(Unit.classScore(k, names.get(k)));
            }
            return out;
        }
        for (String part : t.split("\\s*,\\s*")) {
            int k = names.indexOf(part);
            for (int i = 0; i < names.size() && k < 0; i++) {
                k = names.get(i).equalsIgnoreCase(part) ? i : k;
            }
            if (k < 0) {
                try {
                    k = Integer.parseInt(part);
                } catch (NumberFormatException e) {
                    k = -1;
                }
            }
            if (k < 0 || k >= names.size()) {
                throw new UserError("unknown class '" + part + "' (valid: all, a class index 0-" + (names.size() - 1)
                        + ", or a class name: " + String.join(", ", names) + ")");
            }
            out.add(Unit.classScore(k, names.get(k)));
        }
        return out;
    }

    static List<Unit> channels(ExplainableModel model, boolean neurons, String layer, String channels, int top,
                               String neuron, List<TensorBatch> images) {
        Layer l = LayerChoice.spatial(model, layer, "Activation maximisation", ActivationMaximisation.inputShape(model));
        String name = layer == null || layer.isBlank() || layer.trim().equalsIgnoreCase(LayerChoice.AUTO)
                ? l.name() : layer.trim();
        int count = (int) l.shape()[1];
        int[] xy = neurons ? position(neuron) : new int[] {-1, -1};
        int[] chosen = ExplainRequest.parseChannels(channels);
        if (chosen == null) {
            if (top < 0) {
                throw new UserError("top must be 0 (every channel) or a number of channels, not " + top);
            }
            int k = top == 0 ? count : Math.min(top, count);
            chosen = images.isEmpty() ? java.util.stream.IntStream.range(0, k).toArray() : strongest(model, name,
                    count, k, images);
        }
        List<Unit> out = new ArrayList<>();
        for (int c : chosen) {
            out.add(neurons ? Unit.neuron(name, c, xy[0], xy[1]) : Unit.channel(name, c));
        }
        return out;
    }

    /** The k channels with the largest activation anywhere in the images, strongest first. */
    private static int[] strongest(ExplainableModel model, String layer, int count, int k, List<TensorBatch> images) {
        float[] max = ActivationMaximisation.peakOver(model, layer, count, images);
        Integer[] order = new Integer[count];
        for (int c = 0; c < count; c++) {
            order[c] = c;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(max[b], max[a]));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = order[i];
        }
        return out;
    }

    /** "x,y" in the layer's grid, or the centre for an empty value or "centre". */
    static int[] position(String neuron) {
        if (neuron == null || neuron.isBlank() || neuron.trim().matches("(?i)cent(re|er)")) {
            return new int[] {-1, -1};
        }
        String[] parts = neuron.trim().split("\\s*,\\s*");
        try {
            if (parts.length == 2) {
                int x = Integer.parseInt(parts[0]);
                int y = Integer.parseInt(parts[1]);
                if (x >= 0 && y >= 0) {
                    return new int[] {x, y};
                }
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new UserError("neuron must be x,y in the layer's grid (e.g. 8,8) or empty for the centre; got '"
                + neuron + "'");
    }
}
