package org.cnnexplain.explain.maximize;

import java.util.List;
import java.util.Set;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.LayerChoice;
import org.cnnexplain.graph.Graph;
import org.cnnexplain.graph.Node;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;

/**
 * Where a {@link Unit} is read in the model: the tensor whose values are reported ({@code measured}, the
 * layer as named, or the model's output) and the tensor the ascent maximises ({@code objective}): the
 * same tensor, except before a final ReLU (maximised on its input, as Lucid's "pre_relu" objectives are,
 * since a ReLU that is off for the starting noise passes no gradient at all) and before a softmax or
 * sigmoid output (the logit: a probability saturates, and raising it can as well lower the other classes
 * as raise this one). Per sample, the unit's value is the mean of {@code count} values from {@code from}
 * of either tensor (flattened C·h·w, or the K scores).
 */
record Probe(Unit unit, String measured, String objective, int from, int count, int size) {

    private static final Set<String> LAYER_ACTIVATIONS = Set.of("Relu");
    private static final Set<String> OUTPUT_ACTIVATIONS = Set.of("Softmax", "LogSoftmax", "Sigmoid");

    static Probe of(ExplainableModel model, Unit u, long[] inputShape) {
        if (u.kind() == Unit.Kind.CLASS) {
            List<String> names = model.classNames();
            if (u.channel() < 0 || u.channel() >= names.size()) {
                throw new UserError("class " + u.channel() + " is out of range: the model has " + names.size()
                        + " classes, 0-" + (names.size() - 1));
            }
            if (model.hasSpatialOutput()) {
                throw new UserError("activation maximisation of a class needs a classifier; "
                        + model.path().getFileName() + " has a per-pixel output (maximise a layer's channel instead)");
            }
            String out = model.outputName();
            return new Probe(u, out, before(model.graph(), out, OUTPUT_ACTIVATIONS), u.channel(), 1, names.size());
        }
        Layer l = LayerChoice.spatial(model, u.layer(), "Activation maximisation", inputShape);
        long[] shape = l.shape();
        int channels = (int) shape[1];
        if (u.channel() < 0 || u.channel() >= channels) {
            throw new UserError("channel " + u.channel() + " is out of range: layer '" + l.name() + "' has " + channels
                    + " channels, 0-" + (channels - 1));
        }
        if (shape.length != 4) {
            throw new UserError("activation maximisation supports 2-D layers; '" + l.name() + "' has shape "
                    + java.util.Arrays.toString(shape));
        }
        int h = (int) shape[2];
        int w = (int) shape[3];
        int hw = h * w;
        String objective = before(model.graph(), l.output(), LAYER_ACTIVATIONS);
        if (u.kind() == Unit.Kind.CHANNEL) {
            return new Probe(u, l.output(), objective, u.channel() * hw, hw, channels * hw);
        }
        int x = u.x() < 0 ? w / 2 : u.x();
        int y = u.y() < 0 ? h / 2 : u.y();
        if (x >= w || y >= h) {
            throw new UserError("neuron x=" + x + " y=" + y + " is outside layer '" + l.name() + "', whose grid is "
                    + w + " x " + h + " (x 0-" + (w - 1) + ", y 0-" + (h - 1) + ")");
        }
        return new Probe(u, l.output(), objective, u.channel() * hw + y * w + x, 1, channels * hw);
    }

    /** The input of the node making {@code tensor} when that node is one of {@code ops}, else the tensor. */
    private static String before(Graph graph, String tensor, Set<String> ops) {
        if (graph == null) {
            return tensor;
        }
        Node producer = graph.producerOf(tensor);
        return producer != null && ops.contains(producer.opType()) ? producer.inputs().get(0) : tensor;
    }

    /** The unit's value in sample {@code s} of {@code values} (a tensor flattened per sample). */
    float value(float[] values, int s) {
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += values[s * size + from + i];
        }
        return (float) (sum / count);
    }
}
