package org.cnnexplain.atlas;

import java.util.List;

/**
 * The result of one atlas run: per chosen channel its K strongest neurons over the data set, each with its
 * receptive-field patch and its deconvnet projection, and the class → channel importance.
 *
 * @param layer      the layer's node name, e.g. {@code /block4/block4.2/Relu}
 * @param classes    the model's class names
 * @param top        K
 * @param distinct   at most one neuron per sample and channel
 * @param rule       the reverse-pass rule of the projections (deconvnet, guided, gradient)
 * @param rows       one per chosen channel, in the order asked for
 * @param importance class → channel importance over every sample (null when not asked for)
 * @param samples    how many samples were seen
 */
public record Atlas(String layer, List<String> classes, int top, boolean distinct, String rule, List<Row> rows,
                    Importance importance, int samples) {

    /** One channel: its kept neurons, strongest first (fewer than K when there were fewer samples). */
    public record Row(int channel, List<Cell> cells) {

        /** How many of the kept neurons' samples the model predicted as each class. */
        public int[] classCounts(int classes) {
            int[] n = new int[classes];
            for (Cell c : cells) {
                n[c.neuron().predicted()]++;
            }
            return n;
        }

        /** The class most of the kept neurons' samples were predicted as (the first on a tie), or -1 when empty. */
        public int topClass(int classes) {
            int[] n = classCounts(classes);
            int best = -1;
            for (int c = 0; c < n.length; c++) {
                if (n[c] > 0 && (best < 0 || n[c] > n[best])) {
                    best = c;
                }
            }
            return best;
        }
    }

    /**
     * One kept neuron with what it sees.
     *
     * @param image      the file name (or stack title) of its sample
     * @param slice      1-based plane of that file (or stack)
     * @param box        its receptive field in the sample's pixels, clipped at the border
     * @param field      the unclipped field {x0, y0, x1, y1} (may reach outside the image)
     * @param channels   input channels of the patch and projection
     * @param patch      the model's (normalised) input inside {@code box}, C × h × w
     * @param projection the deconvnet projection of this one neuron inside {@code box}, C × h × w
     */
    public record Cell(Neuron neuron, String image, int slice, ReceptiveField.Box box, long[] field, int channels,
                       float[] patch, float[] projection) {
    }
}
