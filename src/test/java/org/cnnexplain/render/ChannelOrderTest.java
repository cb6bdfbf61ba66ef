package org.cnnexplain.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.cnnexplain.explain.MapStack;
import org.junit.jupiter.api.Test;

/** Per-channel volumes (neuron, channel, z) become ImageJ's hyperstack order (neuron, z, channel). */
class ChannelOrderTest {

    @Test
    void channelsBecomeTheFastestAxis() {
        int neurons = 2;
        int channels = 3;
        int depth = 4;
        int n = neurons * channels * depth;
        float[] data = new float[n];   // 1x1 planes whose value encodes (neuron, channel, z)
        List<String> labels = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            int z = k % depth;
            int c = k / depth % channels;
            int g = k / (depth * channels);
            data[k] = 100 * g + 10 * c + z;
            labels.add("n" + g + " c" + c + " z" + z);
        }
        MapStack out = ResultImages.channelsInnermost(new MapStack(data, n, 1, 1, labels), channels, depth);
        ij.ImagePlus imp = ResultImages.stack(out, "t", null);
        imp.setDimensions(channels, depth, neurons);
        for (int g = 0; g < neurons; g++) {
            for (int z = 0; z < depth; z++) {
                for (int c = 0; c < channels; c++) {
                    int index = imp.getStackIndex(c + 1, z + 1, g + 1);
                    assertEquals(100 * g + 10 * c + z, imp.getStack().getProcessor(index).getf(0), 0f);
                    assertEquals("n" + g + " c" + c + " z" + z, imp.getStack().getSliceLabel(index));
                }
            }
        }
    }
}
