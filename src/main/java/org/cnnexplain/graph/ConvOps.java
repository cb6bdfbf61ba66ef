package org.cnnexplain.graph;

import static org.cnnexplain.graph.OpSupport.intsOr;
import static org.cnnexplain.graph.OpSupport.one;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.convolutional.Conv3d;
import java.util.List;
import java.util.Map;

/** Conv (1-3D, grouped, depthwise, dilated). */
final class ConvOps {

    private ConvOps() {
    }

    static void register(Map<String, Op> ops) {
        ops.put("Conv", ConvOps::conv);
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
        Shape s = new Shape(strides);
        Shape d = new Shape(dilations);
        NDList out = switch (spatial) {
            case 1 -> Conv1d.conv1d(x, w, b, s, pad, d, groups);
            case 2 -> Conv2d.conv2d(x, w, b, s, pad, d, groups);
            case 3 -> Conv3d.conv3d(x, w, b, s, pad, d, groups);
            default -> throw OpSupport.unsupported(node, spatial + "-D convolution");
        };
        return one(out.singletonOrThrow());
    }
}
