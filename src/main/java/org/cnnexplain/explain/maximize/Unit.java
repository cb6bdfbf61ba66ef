package org.cnnexplain.explain.maximize;

import java.util.Locale;

/**
 * What one synthesised image maximises: a channel of a layer (the mean of its map), one neuron of a
 * channel (at x, y of the layer's grid, or its centre), or a class score (the logit).
 *
 * <pre>{@code
 * Unit.channel("block4", 12);          // mean of channel 12's map
 * Unit.neuron("block3", 5, -1, -1);     // channel 5 at the centre of block3's grid
 * Unit.classScore(1, "mitotic");        // the mitotic logit
 * }</pre>
 *
 * @param kind    channel, neuron or class
 * @param layer   the layer as the user named it (null for a class)
 * @param channel the channel (or the class index for a class)
 * @param x       neuron column in the layer's grid, -1 for the centre (neurons only)
 * @param y       neuron row, -1 for the centre
 * @param name    the class name (classes only), for labels
 */
public record Unit(Kind kind, String layer, int channel, int x, int y, String name) {

    public enum Kind { CHANNEL, NEURON, CLASS }

    public static Unit channel(String layer, int channel) {
        return new Unit(Kind.CHANNEL, layer, channel, -1, -1, null);
    }

    public static Unit neuron(String layer, int channel, int x, int y) {
        return new Unit(Kind.NEURON, layer, channel, x, y, null);
    }

    public static Unit classScore(int index, String name) {
        return new Unit(Kind.CLASS, null, index, -1, -1, name);
    }

    /** "class mitotic", "block4 channel 12", "block3 channel 5 neuron x=8 y=8". */
    public String describe() {
        return switch (kind) {
            case CLASS -> "class " + (name == null ? Integer.toString(channel) : name);
            case CHANNEL -> layer + " channel " + channel;
            case NEURON -> String.format(Locale.ROOT, "%s channel %d neuron %s", layer, channel,
                    x < 0 ? "centre" : "x=" + x + " y=" + y);
        };
    }
}
