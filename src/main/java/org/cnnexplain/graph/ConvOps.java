package org.cnnexplain.graph;

import static org.cnnexplain.graph.OpSupport.intsOr;
import static org.cnnexplain.graph.OpSupport.one;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv3d;
import java.util.List;
import java.util.Map;

/** Conv and ConvTranspose (1-3D, grouped, depthwise, dilated). */
final class ConvOps {

    private ConvOps() {
    }

    static void register(Map<String, Op> ops) {
        ops.put("Conv", ConvOps::conv);
        ops.put("ConvTranspose", ConvOps::convTranspose);
    }

    /**
     * ConvTranspose as an ordinary convolution (DJL's PyTorch engine has no transposed
     * convolution): spread the input by inserting stride-1 zeros between pixels, pad it by
     * dilation·(kernel-1) - pad (crop where negative; output_padding at the end), and convolve
     * with stride 1 and the spatially flipped filters with input and output channels swapped
     * per group. Built from differentiable ops, so explanations pass through it.
     */
    static List<NDArray> convTranspose(Node node, List<NDArray> in) {
        NDArray x = in.get(0);
        NDArray w = in.get(1);
        NDArray b = in.size() > 2 ? in.get(2) : null;
        int spatial = x.getShape().dimension() - 2;
        if (spatial < 1 || spatial > 3) {
            throw OpSupport.unsupported(node, spatial + "-D transposed convolution");
        }
        if (!node.attributes().getString("auto_pad", "NOTSET").equals("NOTSET") || node.attributes().has("output_shape")) {
            throw OpSupport.unsupported(node, "auto_pad/output_shape on ConvTranspose");
        }
        long[] kernel = w.getShape().slice(2).getShape();
        long[] strides = intsOr(node, "strides", spatial, 1);
        long[] dilations = intsOr(node, "dilations", spatial, 1);
        long[] pads = intsOr(node, "pads", 2 * spatial, 0);
        long[] outPad = intsOr(node, "output_padding", spatial, 0);
        int groups = (int) node.attributes().getInt("group", 1);

        for (int a = 0; a < spatial; a++) {
            x = spread(x, 2 + a, strides[a]);
        }
        long[] torchPad = new long[2 * spatial];   // last axis first
        for (int a = 0; a < spatial; a++) {
            long full = dilations[a] * (kernel[a] - 1);
            torchPad[2 * (spatial - 1 - a)] = full - pads[a];
            torchPad[2 * (spatial - 1 - a) + 1] = full - pads[a + spatial] + outPad[a];
        }
        x = x.pad(new Shape(torchPad), 0);

        long cin = w.getShape().get(0);
        long coutPerGroup = w.getShape().get(1);
        int[] spatialAxes = new int[spatial];
        int[] swap = new int[3 + spatial];          // (g, cin/g, cout/g, k...) -> (g, cout/g, cin/g, k...)
        swap[1] = 2;
        swap[2] = 1;
        for (int a = 0; a < spatial; a++) {
            spatialAxes[a] = 2 + a;
            swap[3 + a] = 3 + a;
        }
        NDArray flipped = w.flip(spatialAxes)
                .reshape(new Shape(groups, cin / groups, coutPerGroup).addAll(new Shape(kernel)))
                .transpose(swap)
                .reshape(new Shape(groups * coutPerGroup, cin / groups).addAll(new Shape(kernel)));
        Shape ones = new Shape(java.util.Collections.nCopies(spatial, 1L).stream().mapToLong(Long::longValue).toArray());
        return one(convolve(x, flipped, b, ones, Padding.none(spatial), new Shape(dilations), groups));
    }

    /** Inserts {@code stride - 1} zeros between neighbours along {@code axis}. */
    private static NDArray spread(NDArray x, int axis, long stride) {
        if (stride == 1) {
            return x;
        }
        NDList parts = new NDList(x);
        for (int k = 1; k < stride; k++) {
            parts.add(x.zerosLike());
        }
        Shape s = x.getShape();
        NDArray interleaved = NDArrays.stack(parts, axis + 1);        // ..., n, stride, ...
        long[] merged = s.getShape().clone();
        merged[axis] = s.get(axis) * stride;
        NDArray flat = interleaved.reshape(new Shape(merged));
        return flat.get(new ai.djl.ndarray.index.NDIndex().addAllDim(axis).addSliceDim(0, merged[axis] - (stride - 1)));
    }

    static List<NDArray> conv(Node node, List<NDArray> in) {
        NDArray x = in.get(0);
        NDArray w = in.get(1);
        NDArray b = in.size() > 2 ? in.get(2) : null;
        int spatial = x.getShape().dimension() - 2;
        long[] kernel = w.getShape().slice(2).getShape();
        long[] strides = intsOr(node, "strides", spatial, 1);
        long[] dilations = intsOr(node, "dilations", spatial, 1);
        int groups = (int) node.attributes().getInt("group", 1);
        Padding padding = Padding.of(node, x.getShape(), kernel, strides, dilations);
        Shape pad = padding.symmetric();
        if (!padding.isSymmetric()) {
            x = x.pad(padding.torchPadShape(), 0);
            pad = Padding.none(spatial);
        }
        if (spatial < 1 || spatial > 3) {
            throw OpSupport.unsupported(node, spatial + "-D convolution");
        }
        return one(convolve(x, w, b, new Shape(strides), pad, new Shape(dilations), groups));
    }

    /** One convolution; in chunks of samples where {@link ConvKernels} asks for it. */
    private static NDArray convolve(NDArray x, NDArray w, NDArray b, Shape stride, Shape pad, Shape dilation,
            int groups) {
        long batch = x.getShape().get(0);
        // CPU workarounds (see ConvKernels): a GPU convolves the batch at once, with its own kernels
        boolean cpu = x.getDevice().getDeviceType().equals(ai.djl.Device.Type.CPU);
        ConvKernels.OneDnnSwitch oneDnn = ConvKernels.groupedSwitch();
        if (cpu && groups > 1 && oneDnn != null) {
            oneDnn.enable(true);
            try {
                return convolveBatch(x, w, b, stride, pad, dilation, groups);
            } finally {
                oneDnn.enable(false);
            }
        }
        int chunk = ConvKernels.perSample()
                ? ConvKernels.samplesPerCall(x.getShape(), w.getShape(), stride, pad, dilation) : Integer.MAX_VALUE;
        if (batch <= chunk || !cpu || pointwise(w, stride, pad)) {
            return convolveBatch(x, w, b, stride, pad, dilation, groups);
        }
        long[] cuts = new long[(int) ((batch - 1) / chunk)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = (long) (i + 1) * chunk;
        }
        NDList samples = x.split(cuts, 0);
        NDList outs = new NDList(samples.size());
        for (NDArray sample : samples) {
            outs.add(convolveBatch(sample, w, b, stride, pad, dilation, groups));
        }
        NDArray out = NDArrays.concat(outs, 0);
        samples.close();   // views of x and per-chunk results; autograd keeps what the backward pass needs
        outs.close();
        return out;
    }

    /**
     * A 1 × 1 convolution with stride 1 and no padding: libtorch multiplies the input as it is, with no
     * lowered copy (no scratch to save by going sample by sample, only a concatenation to pay).
     */
    private static boolean pointwise(NDArray w, Shape stride, Shape pad) {
        for (int a = 2; a < w.getShape().dimension(); a++) {
            if (w.getShape().get(a) != 1 || stride.get(a - 2) != 1 || pad.get(a - 2) != 0) {
                return false;
            }
        }
        return true;
    }

    private static NDArray convolveBatch(NDArray x, NDArray w, NDArray b, Shape stride, Shape pad, Shape dilation,
            int groups) {
        NDList out = switch (stride.dimension()) {
            case 1 -> Conv1d.conv1d(x, w, b, stride, pad, dilation, groups);
            case 2 -> Conv2d.conv2d(x, w, b, stride, pad, dilation, groups);
            default -> Conv3d.conv3d(x, w, b, stride, pad, dilation, groups);
        };
        return out.singletonOrThrow();
    }
}
