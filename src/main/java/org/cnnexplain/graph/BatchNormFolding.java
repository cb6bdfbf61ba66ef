package org.cnnexplain.graph;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A Conv followed by an inference-mode BatchNormalization that is the only reader of its output, run as
 * one Conv with folded weights: W' = W · s and b' = (b − mean) · s + β per output channel, s = γ / √(var + ε).
 *
 * <p>{@code torch.onnx.export} folds BatchNorm itself in eval mode, but graphs exported otherwise
 * ({@code training=TrainingMode.PRESERVE}, other exporters) keep it: one more op and one more full
 * pass over the activation per convolution. The folded weights are computed once, at load time; whether a
 * run uses them is decided per run by the {@link Executor}: only when the run does not want the Conv's own
 * output (a tap or a gradient target there). Taps and gradients at the BatchNormalization's output then
 * come from the folded Conv, which computes the same function (to float rounding); a run that taps the
 * Conv's output runs both nodes as they are, so that output stays exact.
 *
 * @param batchNorm index of the BatchNormalization node
 * @param output    its output tensor, which the folded Conv writes
 * @param weight    W', stored with the model's constants
 * @param bias      b', likewise
 */
record BatchNormFolding(int batchNorm, String output, NDArray weight, NDArray bias) {

    /** The folded Conv's inputs for activation {@code x}. */
    List<NDArray> convInputs(NDArray x) {
        return Arrays.asList(x, weight, bias);
    }

    /** Every foldable pair of {@code graph}, indexed by the Conv's node index. */
    static BatchNormFolding[] find(Graph graph, boolean[] folded, Function<String, NDArray> constant) {
        List<Node> nodes = graph.nodes();
        Map<String, Integer> readers = new HashMap<>();
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            nodes.get(i).inputs().forEach(in -> readers.merge(in, 1, Integer::sum));
            for (String out : nodes.get(i).outputs()) {
                producer.put(out, i);
            }
        }
        graph.outputs().forEach(out -> readers.merge(out, 1, Integer::sum));
        BatchNormFolding[] result = new BatchNormFolding[nodes.size()];
        for (int j = 0; j < nodes.size(); j++) {
            Node bn = nodes.get(j);
            if (folded[j] || !bn.opType().equals("BatchNormalization") || bn.inputs().size() != 5
                    || bn.attributes().getInt("training_mode", 0) != 0
                    || bn.outputs().stream().skip(1).anyMatch(o -> !o.isEmpty())
                    || bn.inputs().stream().skip(1).anyMatch(in -> constant.apply(in) == null)) {
                continue;
            }
            String convOut = bn.inputs().get(0);
            Integer i = producer.get(convOut);
            if (i == null || folded[i] || readers.getOrDefault(convOut, 0) != 1) {
                continue;
            }
            Node conv = nodes.get(i);
            if (!conv.opType().equals("Conv") || conv.outputs().size() != 1 || constant.apply(conv.inputs().get(1)) == null
                    || (conv.inputs().size() > 2 && !conv.inputs().get(2).isEmpty()
                        && constant.apply(conv.inputs().get(2)) == null)) {
                continue;
            }
            result[i] = fold(conv, bn, j, constant);
        }
        return result;
    }

    private static BatchNormFolding fold(Node conv, Node bn, int j, Function<String, NDArray> constant) {
        NDArray w = constant.apply(conv.inputs().get(1));
        NDArray gamma = constant.apply(bn.inputs().get(1));
        NDArray beta = constant.apply(bn.inputs().get(2));
        NDArray mean = constant.apply(bn.inputs().get(3));
        NDArray var = constant.apply(bn.inputs().get(4));
        float eps = bn.attributes().getFloat("epsilon", 1e-5f);
        List<NDArray> temporaries = new ArrayList<>();
        NDArray s = keep(temporaries, gamma.div(keep(temporaries, keep(temporaries, var.add(
                keep(temporaries, Tensors.scalar(var.getManager(), eps)))).sqrt())));
        long[] perChannel = new long[w.getShape().dimension()];
        Arrays.fill(perChannel, 1);
        perChannel[0] = -1;
        NDArray weight = w.mul(keep(temporaries, s.reshape(perChannel)));
        boolean hasBias = conv.inputs().size() > 2 && !conv.inputs().get(2).isEmpty();
        NDArray centred = hasBias ? keep(temporaries, constant.apply(conv.inputs().get(2)).sub(mean)) : keep(temporaries, mean.neg());
        NDArray bias = keep(temporaries, centred.mul(s)).add(beta);
        temporaries.forEach(NDArray::close);
        return new BatchNormFolding(j, bn.outputs().get(0), weight, bias);
    }

    private static NDArray keep(List<NDArray> temporaries, NDArray t) {
        temporaries.add(t);
        return t;
    }
}
