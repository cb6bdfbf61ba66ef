package org.cnnexplain.graph;

import static org.cnnexplain.graph.OpSupport.one;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import org.cnnexplain.UserError;

/**
 * Resize (opset 11+) and Upsample (opset 9) on the last two axes, modes
 * {@code nearest} and {@code linear}, as one interpolation matrix per axis:
 * {@code out = R_y · x · R_xᵀ}. Built from plain matrix products, the result
 * stays differentiable, so Grad-CAM and the backprop rules pass through it.
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
        long[] outShape = outputShape(node, in, shape);
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
        int h = (int) shape[rank - 2];
        int w = (int) shape[rank - 1];
        int oh = (int) outShape[rank - 2];
        int ow = (int) outShape[rank - 1];
        float[] ry = matrix(node, h, oh, mode, transform, nearest);
        float[] rx = matrix(node, w, ow, mode, transform, nearest);
        NDArray my = Tensors.of(x.getManager(), ry, new Shape(oh, h));
        NDArray mxT = Tensors.of(x.getManager(), rx, new Shape(ow, w)).transpose();
        return one(my.matMul(x).matMul(mxT));
    }

    /** Output shape from the sizes input (opset 11+: input 3), or from scales (input 2, or 1 for Upsample). */
    private static long[] outputShape(Node node, List<NDArray> in, long[] shape) {
        int scalesAt = node.opType().equals("Upsample") ? 1 : node.opset() >= 11 ? 2 : 1;
        if (node.opset() >= 11 && node.opType().equals("Resize") && in.size() > 3 && in.get(3) != null
                && in.get(3).size() > 0) {
            return OpSupport.longs(in.get(3));
        }
        float[] scales = in.size() > scalesAt && in.get(scalesAt) != null
                ? in.get(scalesAt).toType(DataType.FLOAT32, false).toFloatArray()
                : node.attributes().getFloats("scales");
        if (scales == null || scales.length != shape.length) {
            throw new UserError(node.describe() + ": needs scales or sizes for all " + shape.length + " axes");
        }
        long[] out = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = (long) Math.floor(shape[i] * scales[i]);
        }
        return out;
    }

    /** Row-major (out × in) matrix whose row o holds the weights of the input pixels for output pixel o. */
    static float[] matrix(Node node, int in, int out, String mode, String transform, String nearest) {
        float[] m = new float[out * in];
        double scale = (double) out / in;
        for (int o = 0; o < out; o++) {
            double src = switch (transform) {
                case "half_pixel" -> (o + 0.5) / scale - 0.5;
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
}
