package org.cnnexplain.graph;

import ai.djl.ndarray.types.Shape;

/**
 * Which convolution kernels libtorch runs, as far as the graph's ops need to know.
 *
 * <p>With libtorch's own kernels (oneDNN switched off, see {@code model.NativeConvolutions}), a
 * convolution lowers each sample to a matrix (im2col) for the whole batch at once: at batch 16 the
 * first ResNet-18 layers build ~115 MB of fresh scratch per call, and a batch costs 1.8× its
 * samples run one by one. {@link ConvOps} then convolves in chunks of samples whose lowered input
 * stays within {@value #CHUNK_BYTES} bytes (one sample when a single one is larger, as everywhere in
 * ResNet-18 at 224²) and concatenates; libtorch lowers and multiplies sample by sample inside a call
 * as well, so each output sample is computed the same way. Small convolutions (64² inputs, a few
 * channels: Score-CAM's batches of masked inputs) pay a fixed cost per call that one call per sample
 * multiplied: the reduced ResNet-18's forward pass at batch 20 took 1.5× as long sample by sample.
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

    /** Lowered input per libtorch call: 1 MiB (about a core's L2 cache). */
    static final long CHUNK_BYTES = 1L << 20;

    /**
     * How many samples one libtorch call convolves: as many as keep the lowered input of the call
     * (input channels × kernel positions × output positions, float32) within {@link #CHUNK_BYTES}, at
     * least one. E.g. a 7 × 7, stride-2 convolution of one 64² channel lowers 49 × 32² floats (196 KiB) per
     * sample: 5 samples per call.
     */
    static int samplesPerCall(Shape x, Shape w, Shape stride, Shape pad, Shape dilation) {
        long perSample = 4L * x.get(1);
        for (int a = 0; a < stride.dimension(); a++) {
            long k = w.get(2 + a);
            long out = (x.get(2 + a) + 2 * pad.get(a) - dilation.get(a) * (k - 1) - 1) / stride.get(a) + 1;
            perSample *= k * Math.max(1, out);
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, CHUNK_BYTES / perSample));
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
