package org.cnnexplain.atlas;

import java.util.Comparator;

/**
 * One neuron of a layer in one sample: its channel, activation, where it is, and what the model predicted
 * for that sample.
 *
 * @param channel    0-based channel of the layer
 * @param activation its value
 * @param unit       index of the unit it came from (a file of the folder, or a plane of a stack)
 * @param sample     sample within that unit (0-based plane of the file; 0 for a plane of a stack)
 * @param x          0-based column in the layer's grid
 * @param y          0-based row in the layer's grid
 * @param predicted  the model's top-1 class for that sample
 */
public record Neuron(int channel, float activation, int unit, int sample, int x, int y, int predicted) {

    /**
     * Strongest first. Ties (equal activations: dead channels are all zeros after a ReLU) go to the earlier
     * unit (folder order: file names sorted), then the earlier sample, then row by row: smaller y, then
     * smaller x. So the atlas of a folder does not depend on the machine, thread or batch size.
     */
    public static final Comparator<Neuron> STRONGEST_FIRST = (a, b) -> {
        int c = Float.compare(b.activation, a.activation);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.unit, b.unit);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.sample, b.sample);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.y, b.y);
        return c != 0 ? c : Integer.compare(a.x, b.x);
    };
}
