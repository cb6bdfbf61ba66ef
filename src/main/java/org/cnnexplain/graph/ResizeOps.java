package org.cnnexplain.graph;

import static org.cnnexplain.graph.OpSupport.one;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.cnnexplain.UserError;

/**
 * Resize (opset 10-21) and Upsample (opset 9) on the last two axes, modes
 * {@code nearest} and {@code linear}, as one interpolation matrix per axis:
 * {@code out = R_y · x · R_xᵀ}. Built from plain matrix products, the result
 * stays differentiable, so Grad-CAM and the backprop rules pass through it.
 *
 * <p>What later opsets added, and how it is read here: opset 18 {@code axes} (scales or
 * sizes for those axes only), {@code keep_aspect_ratio_policy} ({@code not_larger} /
 * {@code not_smaller}: one scale for all resized axes, sizes {@code round(scale * in)}) and
 * {@code antialias} (for linear downscaling, a triangle filter stretched by 1 / scale); opset 19 {@code half_pixel_symmetric}. The coordinate
 * transform uses the given scale (not out / in), as the specification says.
 */
final class ResizeOps {

    private ResizeOps() {
    }

    static void register(Map<String, Op> ops) {
        ops.put("Resize", ResizeOps::resize);
        ops.put("Upsample", ResizeOps::resize);
    }

    static List<NDArray> resize(Node node, List<NDArray> in) {
        NDArray x = in.get(0);
        long[] shape = x.getShape().getShape();
        int rank = shape.length;
        double[] scales = new double[rank];
        long[] outShape = outputShape(node, in, shape, scales);
        for (int i = 0; i < rank - 2; i++) {
            if (outShape[i] != shape[i]) {
                throw OpSupport.unsupported(node, "resizing axes other than the last two");
            }
        }
        String mode = node.attributes().getString("mode", "nearest");
        String transform = node.opType().equals("Upsample") ? "asymmetric"
                : node.attributes().getString("coordinate_transformation_mode", "half_pixel");
        String nearest = node.attributes().getString("nearest_mode", "round_prefer_floor");
        if (node.opType().equals("Upsample") || node.opset() < 11) {
            nearest = "floor";   // Upsample and Resize-10 take the floor
        }
        if (transform.equals("half_pixel_symmetric") && node.opset() < 19) {
            throw OpSupport.unsupported(node, "coordinate_transformation_mode 'half_pixel_symmetric' before opset 19");
        }
        boolean antialias = node.opset() >= 18 && node.attributes().getInt("antialias", 0) == 1;
        int h = (int) shape[rank - 2];
        int w = (int) shape[rank - 1];
        int oh = (int) outShape[rank - 2];
        int ow = (int) outShape[rank - 1];
        float[] ry = matrix(node, h, oh, scales[rank - 2], mode, transform, nearest, antialias);
        float[] rx = matrix(node, w, ow, scales[rank - 1], mode, transform, nearest, antialias);
        NDArray my = Tensors.of(x.getManager(), ry, new Shape(oh, h));
        NDArray mxT = Tensors.of(x.getManager(), rx, new Shape(ow, w)).transpose();
        return one(my.matMul(x).matMul(mxT));
    }

    /**
     * Output shape from the sizes input (opset 11+: input 3), or from scales (input 2, or 1 for
     * Upsample), for all axes or (opset 18) the {@code axes} attribute's; fills {@code scales}
     * with the scale of each axis that the coordinate transform uses.
     */
    private static long[] outputShape(Node node, List<NDArray> in, long[] shape, double[] scales) {
        int rank = shape.length;
        int scalesAt = node.opType().equals("Upsample") ? 1 : node.opset() >= 11 ? 2 : 1;
        long[] axesAttr = node.opset() >= 18 ? node.attributes().getInts("axes") : null;
        int[] axes = axesAttr == null ? java.util.stream.IntStream.range(0, rank).toArray()
                : OpSupport.axes(node, axesAttr, rank);
        long[] out = shape.clone();
        java.util.Arrays.fill(scales, 1.0);
        if (node.opset() >= 11 && node.opType().equals("Resize") && in.size() > 3 && in.get(3) != null
                && in.get(3).size() > 0) {
            long[] sizes = OpSupport.longs(in.get(3));
            if (sizes.length != axes.length) {
                throw new UserError(node.describe() + ": has " + sizes.length + " sizes for " + axes.length + " axes");
            }
            String policy = node.opset() >= 18 ? node.attributes().getString("keep_aspect_ratio_policy", "stretch")
                    : "stretch";
            if (policy.equals("stretch")) {
                for (int i = 0; i < axes.length; i++) {
                    out[axes[i]] = sizes[i];
                    scales[axes[i]] = (double) sizes[i] / shape[axes[i]];
                }
                return out;
            }
            if (!policy.equals("not_larger") && !policy.equals("not_smaller")) {
                throw OpSupport.unsupported(node, "keep_aspect_ratio_policy '" + policy + "'");
            }
            double scale = policy.equals("not_larger") ? Double.MAX_VALUE : 0;
            for (int i = 0; i < axes.length; i++) {
                double r = (double) sizes[i] / shape[axes[i]];
                scale = policy.equals("not_larger") ? Math.min(scale, r) : Math.max(scale, r);
            }
            for (int a : axes) {
                out[a] = Math.round(scale * shape[a]);
                scales[a] = scale;
            }
            return out;
        }
        float[] given = in.size() > scalesAt && in.get(scalesAt) != null && in.get(scalesAt).size() > 0
                ? Tensors.floatsOf(in.get(scalesAt))
                : node.attributes().getFloats("scales");
        if (given == null || given.length != axes.length) {
            throw new UserError(node.describe() + ": needs scales or sizes for all " + axes.length + " axes");
        }
        for (int i = 0; i < axes.length; i++) {
            // in float arithmetic, as ONNX Runtime does: 20 * 0.35f is 7 there, 6.99999988 in double
            out[axes[i]] = (long) Math.floor((float) shape[axes[i]] * given[i]);
            scales[axes[i]] = given[i];
        }
        return out;
    }

    /**
     * Row-major (out × in) matrix whose row o holds the weights of the input pixels for output pixel o;
     * {@code scale} is the axis's scale as the node gives it.
     */
    static float[] matrix(Node node, int in, int out, double scale, String mode, String transform, String nearest,
                          boolean antialias) {
        float[] m = new float[out * in];
        for (int o = 0; o < out; o++) {
            double src = switch (transform) {
                case "half_pixel" -> (o + 0.5) / scale - 0.5;
                case "half_pixel_symmetric" -> {
                    double adjustment = out / (scale * in);
                    double center = in / 2.0;
                    yield center * (1 - adjustment) + (o + 0.5) / scale - 0.5;
                }
                case "pytorch_half_pixel" -> out > 1 ? (o + 0.5) / scale - 0.5 : 0;
                case "align_corners" -> out > 1 ? o * (in - 1.0) / (out - 1.0) : 0;
                case "asymmetric" -> o / scale;
                default -> throw OpSupport.unsupported(node, "coordinate_transformation_mode '" + transform + "'");
            };
            switch (mode) {
                case "nearest" -> {
                    long k = switch (nearest) {
                        case "floor" -> (long) Math.floor(src);
                        case "ceil" -> (long) Math.ceil(src);
                        case "round_prefer_ceil" -> (long) Math.floor(src + 0.5);
                        case "round_prefer_floor" -> (long) Math.ceil(src - 0.5);
                        default -> throw OpSupport.unsupported(node, "nearest_mode '" + nearest + "'");
                    };
                    m[o * in + (int) Math.max(0, Math.min(in - 1, k))] = 1f;
                }
                case "linear" -> {
                    if (antialias && scale < 1) {
                        antialiased(m, o, in, src, scale, node.attributes().getInt("exclude_outside", 0) == 1);
                        continue;
                    }
                    double s = Math.max(0, Math.min(in - 1, src));
                    int lo = (int) Math.floor(s);
                    int hi = Math.min(lo + 1, in - 1);
                    double f = s - lo;
                    m[o * in + lo] += (float) (1 - f);
                    m[o * in + hi] += (float) f;
                }
                default -> throw OpSupport.unsupported(node, "Resize mode '" + mode + "'");
            }
        }
        return m;
    }

    /**
     * Antialiased linear downscaling (Resize-18 {@code antialias=1}): the triangle filter widened to
     * a support of 1 / scale input pixels on each side, {@code w(i) = max(0, 1 - |i - src| * scale)},
     * normalised to sum 1 over the whole window; window pixels beyond the border take the edge
     * pixel's value, or with {@code exclude_outside=1} drop out and the rest is renormalised (Pillow's way).
     */
    private static void antialiased(float[] m, int o, int in, double src, double scale, boolean excludeOutside) {
        double support = 1 / scale;
        int lo = (int) Math.floor(src - support);
        int hi = (int) Math.ceil(src + support);
        double sum = 0;
        double[] w = new double[hi - lo + 1];
        for (int i = lo; i <= hi; i++) {
            boolean outside = i < 0 || i >= in;
            w[i - lo] = excludeOutside && outside ? 0 : Math.max(0, 1 - Math.abs(i - src) * scale);
            sum += w[i - lo];
        }
        for (int i = lo; i <= hi; i++) {
            int at = Math.max(0, Math.min(in - 1, i));
            m[o * in + at] += (float) (sum > 0 ? w[i - lo] / sum : 0);
        }
    }
}
