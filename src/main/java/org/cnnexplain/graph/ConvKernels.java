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

    /** Turns libtorch's oneDNN use on or off (its global context flag). */
    @FunctionalInterface
    public interface OneDnnSwitch {
        void enable(boolean on);
    }

    private static volatile boolean perSample;
    private static volatile OneDnnSwitch grouped;

    private ConvKernels() {
    }

    /** Called once by the model layer after it has chosen libtorch's own convolutions. */
    public static void convolveSampleBySample(boolean on) {
        perSample = on;
    }

    static boolean perSample() {
        return perSample;
    }

    /**
     * Called once by the model layer when oneDNN is capped to kernels that are right on every CPU: grouped
     * (depthwise) convolutions then run through oneDNN, switched on for that one call. libtorch's own
     * kernels convolve a grouped convolution one group at a time — MobileNet-V2's 17 depthwise layers were
     * 72 % of its forward pass, 36 ms at 128² where oneDNN's SSE4.1 kernels take a few ms. The switch is
     * libtorch's global flag: a plain convolution on another thread in that instant runs through oneDNN too
     * (the same capped kernels: right, only slower). A backward pass picks its kernels again, with the flag
     * off. null: every convolution on libtorch's own kernels.
     */
    public static void groupedThroughOneDnn(OneDnnSwitch oneDnn) {
        grouped = oneDnn;
    }

    static OneDnnSwitch groupedSwitch() {
        return grouped;
    }
}
