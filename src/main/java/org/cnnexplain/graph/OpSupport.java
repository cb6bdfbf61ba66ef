package org.cnnexplain.graph;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.List;
import org.cnnexplain.UserError;

/** Small helpers the op implementations share. */
final class OpSupport {

    private OpSupport() {
    }

    /**
     * A float scalar operand for arithmetic on {@code like}, owned by its run. Not DJL's
     * {@code x.mul(2f)}: that makes the scalar from Java memory and closes it at once, while
     * autograd keeps it for the backward pass (the gradient of x * s is g * s), so a garbage
     * collection between forward and backward left the gradient reading freed memory.
     */
    static NDArray scalar(NDArray like, float value) {
        return Tensors.scalar(like.getManager(), value);
    }

    static List<NDArray> one(NDArray result) {
        return List.of(result);
    }

    /** The ints attribute {@code name}, or {@code n} copies of {@code fallback}. */
    static long[] intsOr(Node node, String name, int n, long fallback) {
        long[] v = node.attributes().getInts(name);
        if (v != null) {
            return v;
        }
        long[] d = new long[n];
        Arrays.fill(d, fallback);
        return d;
    }

    /** An int64/int32 tensor (shape arithmetic: axes, shapes, indices) as a Java array. */
    static long[] longs(NDArray a) {
        return Tensors.longsOf(a);
    }

    /** Maps a possibly negative axis into [0, rank). */
    static int axis(Node node, long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new UserError(node.describe() + ": axis " + axis + " is out of range for a rank-" + rank + " tensor");
        }
        return (int) a;
    }

    static int[] axes(Node node, long[] axes, int rank) {
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = axis(node, axes[i], rank);
        }
        return out;
    }

    static UserError unsupported(Node node, String what) {
        return new UserError(node.describe() + ": " + what + " is not supported");
    }
}
