package org.cnnexplain.graph;

/**
 * Which convolution kernels libtorch runs, as far as the graph's ops need to know.
 *
 * <p>With libtorch's own kernels (oneDNN switched off, see {@code model.NativeConvolutions}), a
 * convolution lowers each sample to a matrix (im2col) for the whole batch at once: at batch 16 the
 * first ResNet-18 layers build ~115 MB of fresh scratch per call, and a batch costs 1.8× its
 * samples run one by one. {@link ConvOps} then convolves sample by sample and concatenates; the
 * numbers are the same (each output sample depends only on its own input sample).
 */
public final class ConvKernels {

    private static volatile boolean perSample;

    private ConvKernels() {
    }

    /** Called once by the model layer after it has chosen libtorch's own convolutions. */
    public static void convolveSampleBySample(boolean on) {
        perSample = on;
    }

    static boolean perSample() {
        return perSample;
    }
}
