package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cnnexplain.UserError;
import org.cnnexplain.graph.Graph;
import org.cnnexplain.graph.Node;
import org.cnnexplain.graph.Ops;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.model.DeviceChoice;
import org.cnnexplain.model.ExplainableModel;

/**
 * Back-propagates a signal from a tensor of the graph to the input, node by
 * node, with the backward rule of ReLU nodes replaceable.
 *
 * <p>Every other node back-propagates exactly: its vector-Jacobian product is
 * computed locally by re-running the node on detached inputs under autograd and
 * differentiating {@code sum(output * incoming)}. So max pooling routes through
 * its switches (the argmax) and convolutions through their transposed filters,
 * as Zeiler and Fergus describe. For a ReLU with input x and incoming signal g:
 * <ul>
 *   <li>{@code deconvnet}: ReLU(g) (Zeiler & Fergus 2014);</li>
 *   <li>{@code guided}: ReLU(g)·[x &gt; 0] (guided backpropagation, Springenberg et al. 2015);</li>
 *   <li>{@code gradient}: g·[x &gt; 0], the plain gradient.</li>
 * </ul>
 * Only Relu nodes are replaced (as Captum and pytorch-grad-cam replace nn.ReLU);
 * Clip (ReLU6) and other activations keep their exact gradient.
 */
public final class Backprop {

    public enum Rule {
        DECONVNET, GUIDED, GRADIENT;

        public static Rule parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new UserError("unknown rule '" + s + "' (valid: deconvnet, guided, gradient)");
            }
        }

        public String fileName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private Backprop() {
    }

    /**
     * The signal at the input, (N, C, H, W), for {@code seed} placed on tensor
     * {@code from} (same shape as that tensor for this input).
     */
    public static NDArray toInput(ExplainableModel model, NDManager run, NDArray input, String from, NDArray seed,
                                  Rule rule) {
        if (model.graph() == null && rule == Rule.GRADIENT) {
            return throughAutograd(model, run, input, from, seed);
        }
        Graph graph = model.requireGraph(rule == Rule.GUIDED ? "guided backprop" : rule.fileName()
                + " (it replaces ReLU's backward rule node by node)");
        List<String> all = new ArrayList<>();
        graph.nodes().forEach(n -> n.outputs().stream().filter(o -> !o.isEmpty()).forEach(all::add));
        Map<String, NDArray> values = new HashMap<>(model.run(run, input, all, null));
        values.put(model.inputName(), input);
        Set<String> onPath = pathFromInput(graph, model.inputName(), from);

        Map<String, NDArray> grads = new HashMap<>();
        grads.put(from, seed);
        List<Node> nodes = graph.nodes();
        synchronized (LayerGradients.AUTOGRAD_LOCK) {
            for (int i = nodes.size() - 1; i >= 0; i--) {
                Node node = nodes.get(i);
                if (!onPath.contains(node.outputs().get(0)) || !grads.containsKey(node.outputs().get(0))) {
                    continue;
                }
                NDArray g = grads.get(node.outputs().get(0));
                if (node.opType().equals("Relu") && rule != Rule.GRADIENT) {
                    NDArray x = values.get(node.inputs().get(0));
                    NDArray back = rule == Rule.DECONVNET ? Activation.relu(g) : Activation.relu(g).mul(x.gt(0));
                    accumulate(grads, node.inputs().get(0), back);
                } else {
                    localVjp(node, values, grads, onPath, g, run, graph);
                }
            }
        }
        NDArray result = grads.get(model.inputName());
        if (result == null) {
            throw new UserError("no signal reaches the input from '" + from + "'");
        }
        return result;
    }

    /** The plain gradient by autograd through the whole model: what a TorchScript module allows. */
    private static NDArray throughAutograd(ExplainableModel model, NDManager run, NDArray input, String from,
                                           NDArray seed) {
        synchronized (LayerGradients.AUTOGRAD_LOCK) {
            try (GradientCollector collector = DeviceChoice.engine().newGradientCollector()) {
                NDArray x = input.duplicate();
                x.setRequiresGradient(true);
                NDArray out = model.run(run, x, List.of(from), null).get(from);
                collector.backward(out.mul(seed).sum());
                return x.getGradient().duplicate();
            }
        }
    }

    /** Vector-Jacobian product of one node, for the inputs that lie on the path from the model input. */
    private static void localVjp(Node node, Map<String, NDArray> values, Map<String, NDArray> grads,
                                 Set<String> onPath, NDArray g, NDManager run, Graph graph) {
        try (GradientCollector collector = DeviceChoice.engine().newGradientCollector()) {
            List<NDArray> inputs = new ArrayList<>();
            List<Integer> differentiable = new ArrayList<>();
            for (int k = 0; k < node.inputs().size(); k++) {
                String name = node.inputs().get(k);
                NDArray v = name.isEmpty() ? null : values.get(name);
                if (v == null && graph.constants().containsKey(name)) {
                    v = Tensors.viewIn(run, graph.constants().get(name));   // a per-run view of a weight
                }
                if (v != null && onPath.contains(name) && v.getDataType().isFloating()) {
                    v = v.stopGradient();
                    v.setRequiresGradient(true);
                    differentiable.add(k);
                }
                inputs.add(v);
            }
            if (differentiable.isEmpty()) {
                return;
            }
            NDArray out = Ops.forNode(node).apply(node, inputs).get(0);
            collector.backward(out.mul(g).sum());
            for (int k : differentiable) {
                accumulate(grads, node.inputs().get(k), inputs.get(k).getGradient().duplicate());
            }
        }
    }

    private static void accumulate(Map<String, NDArray> grads, String tensor, NDArray g) {
        NDArray old = grads.get(tensor);
        grads.put(tensor, old == null ? g : old.add(g));
    }

    /** Float tensors that depend on the input and that {@code target} depends on. */
    static Set<String> pathFromInput(Graph graph, String input, String target) {
        Set<String> fromInput = new HashSet<>(Set.of(input));
        for (Node n : graph.nodes()) {
            if (n.inputs().stream().anyMatch(fromInput::contains)) {
                fromInput.addAll(n.outputs());
            }
        }
        if (!fromInput.contains(target)) {
            throw new UserError("tensor '" + target + "' does not depend on the model input");
        }
        Set<String> toTarget = new HashSet<>(Set.of(target));
        List<Node> nodes = graph.nodes();
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            if (n.outputs().stream().anyMatch(toTarget::contains)) {
                toTarget.addAll(n.inputs());
            }
        }
        fromInput.retainAll(toTarget);
        return fromInput;
    }
}
