package org.cnnexplain.graph;

import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.cnnexplain.UserError;

/**
 * The spatial padding of a Conv or pooling node, resolved from ONNX's
 * {@code pads} or {@code auto_pad} against the actual input size.
 *
 * <p>ONNX pads may be asymmetric ({@code [top, left, bottom, right]} = {@code [0, 0, 1, 1]}
 * is what TensorFlow's SAME gives for even kernels); DJL's conv and pool take one
 * symmetric padding per axis, so an asymmetric pad is applied explicitly first
 * ({@link #torchPadShape()}) and the op then runs with {@link #symmetric()}.
 *
 * @param begin padding before each spatial axis
 * @param end   padding after each spatial axis
 */
public record Padding(long[] begin, long[] end) {

    /** Reads {@code auto_pad} / {@code pads} of {@code node} for an input of {@code inputShape} (N, C, spatial...). */
    public static Padding of(Node node, Shape inputShape, long[] kernel, long[] strides, long[] dilations) {
        int n = kernel.length;
        long[] begin = new long[n];
        long[] end = new long[n];
        String auto = node.attributes().getString("auto_pad", "NOTSET");
        switch (auto) {
            case "NOTSET" -> {
                long[] pads = node.attributes().getInts("pads");
                if (pads != null) {
                    System.arraycopy(pads, 0, begin, 0, n);
                    System.arraycopy(pads, n, end, 0, n);
                }
            }
            case "VALID" -> { }
            case "SAME_UPPER", "SAME_LOWER" -> {
                for (int i = 0; i < n; i++) {
                    long in = inputShape.get(i + 2);
                    long out = (in + strides[i] - 1) / strides[i];
                    long total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in);
                    long small = total / 2;
                    begin[i] = auto.equals("SAME_UPPER") ? small : total - small;
                    end[i] = total - begin[i];
                }
            }
            default -> throw new UserError(node.describe() + ": auto_pad=" + auto
                    + " is not supported (NOTSET, VALID, SAME_UPPER, SAME_LOWER)");
        }
        return new Padding(begin, end);
    }

    public boolean isSymmetric() {
        return Arrays.equals(begin, end);
    }

    /** The per-axis padding to give DJL's conv/pool; only meaningful when {@link #isSymmetric()}. */
    public Shape symmetric() {
        return new Shape(begin);
    }

    /** The same padding in the order {@code NDArray.pad} (torch's constant_pad_nd) wants: last axis first. */
    public Shape torchPadShape() {
        int n = begin.length;
        long[] pad = new long[2 * n];
        for (int i = 0; i < n; i++) {
            pad[2 * i] = begin[n - 1 - i];
            pad[2 * i + 1] = end[n - 1 - i];
        }
        return new Shape(pad);
    }

    /** No padding on any of {@code n} axes. */
    public static Shape none(int n) {
        return new Shape(new long[n]);
    }
}
