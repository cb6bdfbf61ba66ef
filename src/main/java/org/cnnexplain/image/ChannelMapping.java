package org.cnnexplain.image;

import org.cnnexplain.UserError;

/**
 * Which image channel feeds each model input channel.
 *
 * <ul>
 *   <li>as many image channels as model channels: one to one, in order;</li>
 *   <li>a single-channel image for a multi-channel model (a grey image into an
 *       RGB-trained net): the channel is repeated;</li>
 *   <li>anything else is an error naming both counts; pick the channels first
 *       (Image › Color › Channels Tool, or Duplicate with a channel range).</li>
 * </ul>
 */
public final class ChannelMapping {

    private ChannelMapping() {
    }

    /** {@code result[m]} = image channel (0-based) feeding model channel {@code m}. */
    public static int[] map(int imageChannels, int modelChannels) {
        int[] map = new int[modelChannels];
        if (imageChannels == modelChannels) {
            for (int m = 0; m < modelChannels; m++) {
                map[m] = m;
            }
            return map;
        }
        if (imageChannels == 1) {
            return map;   // all zeros: the grey channel repeated
        }
        throw new UserError("the image has " + imageChannels + " channels but the model expects " + modelChannels
                + (modelChannels == 1 ? " (a single-channel image: convert it with Image › Type › 8-bit, or keep one channel with"
                        + " Image › Duplicate…)"
                        : " (an image with " + modelChannels + " channels, or a single-channel image to repeat)"));
    }
}
