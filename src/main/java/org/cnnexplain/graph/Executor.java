package org.cnnexplain.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.cnnexplain.UserError;

/**
 * Runs a {@link Graph} forward, node by node, and returns the tensors asked for.
 *
 * <pre>{@code
 * try (NDManager run = modelManager.newSubManager()) {
 *     Map<String, NDArray> out = executor.run(run, Map.of("input", x), List.of("logits", "/layer4/Relu_output_0"));
 *     float[] logits = out.get("logits").toFloatArray();
 * }   // every tensor of the run is freed here
 * }</pre>
 *
 * <p>Every tensor of a run lives in the run's manager: constants enter it as
 * views, results of ops are attached to it. Intermediate tensors nobody asked
 * for are freed as soon as their last reader has run. The executor itself
 * holds no per-run state, so one executor serves several threads at once.
 */
public final class Executor {

    private final Graph graph;
    private final List<Op> ops = new ArrayList<>();
    private final Map<String, Integer> lastUse = new HashMap<>();
    /** Outputs of nodes that read nothing but constants, computed once here (in the graph's manager). */
    private final Map<String, NDArray> folded = new HashMap<>();
    private final boolean[] isFolded;
    /**
     * By node and input: a constant the op reads only as an argument (a Conv's weights, BatchNormalization's
     * statistics, the bounds a specialised Clip ignores), passed as the stored tensor itself rather than a
     * per-run view. A view is what makes an op's result belong to the run, which only the first operand
     * decides; making one per weight per run was most of the executor's own time.
     */
    private final boolean[][] direct;
    /**
     * Relu nodes that may overwrite their input when a run records no autograd: the input is a fresh
     * tensor (made by an op that does not return a view), this Relu is its only reader, and it is no
     * graph output. Whether the run wants it (a tap) is checked per run.
     */
    private final boolean[] reluInPlace;
    private final boolean anyReluInPlace;
    /** What {@link ExecutorProfile} charges each node to: its op type, convolutions by kind. */
    private final String[] profileBucket;
    /** By Conv node index: the BatchNormalization after it folded into its weights, or null. */
    private final BatchNormFolding[] foldings;

    /**
     * Resolves every node's op up front, so an unsupported op fails at load time. Nodes that read only
     * constants (ONNX {@code Constant} nodes and the arithmetic exporters hang on them) are computed
     * here, once, and ops specialise for their constant inputs ({@link Ops#forNode(Node, java.util.function.Function, NDManager)}):
     * a run then neither repeats them nor copies constants into Java.
     */
    public Executor(Graph graph) {
        this.graph = graph;
        List<Node> nodes = graph.nodes();
        isFolded = new boolean[nodes.size()];
        profileBucket = new String[nodes.size()];
        direct = new boolean[nodes.size()][];
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            profileBucket[i] = ExecutorProfile.bucketOf(node);
            Op op = Ops.forNode(node, this::constant, graph.manager());
            ops.add(op);
            boolean argumentsOnly = node.opType().equals("Conv") || node.opType().equals("BatchNormalization")
                    || op != Ops.forNode(node);   // a specialised op has read its constants already
            direct[i] = new boolean[node.inputs().size()];
            for (int k = 1; k < node.inputs().size(); k++) {
                direct[i][k] = argumentsOnly && !node.inputs().get(k).isEmpty() && constant(node.inputs().get(k)) != null;
            }
            for (String input : node.inputs()) {
                lastUse.put(input, i);
            }
            if (node.inputs().stream().allMatch(in -> in.isEmpty() || constant(in) != null)) {
                List<NDArray> inputs = new ArrayList<>();
                node.inputs().forEach(in -> inputs.add(in.isEmpty() ? null : constant(in)));
                List<NDArray> outputs = apply(i, node, inputs);
                for (int k = 0; k < node.outputs().size() && k < outputs.size(); k++) {
                    folded.put(node.outputs().get(k), outputs.get(k));
                }
                isFolded[i] = true;
            }
        }
        foldings = BatchNormFolding.find(graph, isFolded, this::constant);
        reluInPlace = reluInPlace(graph, isFolded);
        boolean any = false;
        for (boolean b : reluInPlace) {
            any |= b;
        }
        anyReluInPlace = any && InPlaceRelu.available();
    }

    /** Ops whose result is a new tensor, never a view of an input (see {@link #reluInPlace}). */
    private static final Set<String> FRESH = Set.of("Conv", "BatchNormalization", "Add", "Sub", "Mul", "Div",
            "Gemm", "MatMul", "MaxPool", "AveragePool", "GlobalAveragePool", "Clip");

    private static boolean[] reluInPlace(Graph graph, boolean[] isFolded) {
        List<Node> nodes = graph.nodes();
        Map<String, Integer> readers = new HashMap<>();
        Map<String, String> producedBy = new HashMap<>();
        for (Node n : nodes) {
            n.inputs().forEach(in -> readers.merge(in, 1, Integer::sum));
            n.outputs().forEach(out -> producedBy.put(out, n.opType()));
        }
        boolean[] result = new boolean[nodes.size()];
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (isFolded[i] || !n.opType().equals("Relu")) {
                continue;
            }
            String in = n.inputs().get(0);
            String producer = producedBy.get(in);
            // a Conv's output may be its BatchNormalization's, folded (BatchNormFolding): fresh too
            result[i] = producer != null && FRESH.contains(producer) && readers.get(in) == 1
                    && !graph.outputs().contains(in);
        }
        return result;
    }

    /** A weight, or a node output computed at load time; null for anything a run computes. */
    private NDArray constant(String name) {
        NDArray c = graph.constants().get(name);
        return c != null ? c : folded.get(name);
    }

    public Graph graph() {
        return graph;
    }

    /** Forward pass; returns {@code wanted} tensors (graph outputs and/or taps) by name. */
    public Map<String, NDArray> run(NDManager run, Map<String, NDArray> feeds, Collection<String> wanted) {
        return run(run, feeds, wanted, null);
    }

    /**
     * Forward pass with a hook that sees each node's outputs as they are made
     * and may replace them (the explanation methods use it to detach a tapped
     * activation and make it require a gradient).
     *
     * @param hook (tensor name, value) → value to continue with; null for none
     */
    public Map<String, NDArray> run(NDManager run, Map<String, NDArray> feeds, Collection<String> wanted,
                                    BiFunction<String, NDArray, NDArray> hook) {
        Set<String> keep = new HashSet<>(wanted);
        Map<String, NDArray> values = new HashMap<>(feeds);
        feeds.forEach(MemoryCheck::requireOwned);
        List<Node> nodes = graph.nodes();
        ExecutorProfile.Run profile = ExecutorProfile.start();
        boolean[] skip = null;   // BatchNormalization nodes folded into their Conv in this run
        // nothing of this run records autograd: no hook making a tensor require a gradient, no feed that does
        boolean mayOverwrite = anyReluInPlace && hook == null
                && feeds.values().stream().noneMatch(AutogradHistory::records);
        try {
            for (String name : wanted) {
                // a wanted output computed at load time: the run gets its view, through the hook like any other
                if (!values.containsKey(name) && folded.containsKey(name)) {
                    NDArray v = Tensors.viewIn(run, folded.get(name));
                    values.put(name, hook == null ? v : hook.apply(name, v));
                }
            }
            for (int i = 0; i < nodes.size(); i++) {
                if (isFolded[i] || (skip != null && skip[i])) {
                    continue;
                }
                Node node = nodes.get(i);
                // a Conv whose own output nobody asked for gives its BatchNormalization's output directly
                BatchNormFolding folding = foldings[i] != null && !keep.contains(node.outputs().get(0)) ? foldings[i] : null;
                List<NDArray> inputs = new ArrayList<>(node.inputs().size());
                if (folding != null) {
                    inputs = folding.convInputs(value(run, values, node.inputs().get(0), node));
                    skip = skip == null ? new boolean[nodes.size()] : skip;
                    skip[folding.batchNorm()] = true;
                } else {
                    for (int k = 0; k < node.inputs().size(); k++) {
                        String name = node.inputs().get(k);
                        inputs.add(name.isEmpty() ? null : direct[i][k] ? constant(name) : value(run, values, name, node));
                    }
                }
                if (profile != null) {
                    profile.enter(profileBucket[i]);
                }
                boolean inPlace = mayOverwrite && reluInPlace[i] && !keep.contains(node.inputs().get(0))
                        && !feeds.containsKey(node.inputs().get(0));
                List<NDArray> outputs = inPlace ? List.of(InPlaceRelu.apply(inputs.get(0))) : apply(i, node, inputs);
                if (profile != null) {
                    profile.lap(profileBucket[i]);
                    profile.recorded(outputs);
                    if (folding != null) {
                        profile.count(ExecutorProfile.FOLDED_BATCH_NORM);
                    }
                    if (inPlace) {
                        profile.count(ExecutorProfile.RELU_IN_PLACE);
                    }
                }
                List<String> names = folding != null ? List.of(folding.output()) : node.outputs();
                for (int k = 0; k < names.size() && k < outputs.size(); k++) {
                    NDArray out = own(run, outputs.get(k));
                    MemoryCheck.requireOwned(names.get(k), out);
                    if (hook != null) {
                        out = hook.apply(names.get(k), out);
                    }
                    values.put(names.get(k), out);
                }
                if (profile != null) {
                    profile.lap(ExecutorProfile.BOOKKEEPING);
                }
                release(values, node, i, keep, feeds);
                if (profile != null) {
                    profile.lap(ExecutorProfile.RELEASE);
                }
                MemoryCheck.afterNode();
            }
        } finally {
            if (profile != null) {
                profile.finish();
            }
        }
        Map<String, NDArray> result = new LinkedHashMap<>();
        for (String name : wanted) {
            NDArray v = values.get(name);
            if (v == null) {
                throw new UserError("tensor '" + name + "' is not computed by this model");
            }
            result.put(name, v);
        }
        return result;
    }

    /** Runs one op; an engine failure (shapes that do not fit, say) becomes an error naming the node. */
    private List<NDArray> apply(int index, Node node, List<NDArray> inputs) {
        try {
            return ops.get(index).apply(node, inputs);
        } catch (ai.djl.engine.EngineException | IllegalArgumentException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new UserError(node.describe() + " failed: " + msg);
        }
    }

    private NDArray value(NDManager run, Map<String, NDArray> values, String name, Node reader) {
        NDArray v = values.get(name);
        if (v == null) {
            NDArray constant = constant(name);
            if (constant == null) {
                throw new UserError("tensor '" + name + "' read by " + reader.describe()
                        + " is neither a model input, a weight, nor the output of an earlier node");
            }
            v = Tensors.viewIn(run, constant);   // results of ops on it stay in the run
            values.put(name, v);
        }
        return v;
    }

    /**
     * Results of ops on run tensors belong to the run already. Anything else is
     * a stored tensor passed through (a Constant node's value): the run gets a
     * view of it, and the stored tensor is never moved or freed.
     */
    private static NDArray own(NDManager run, NDArray out) {
        return out.getManager() == run ? out : Tensors.viewIn(run, out);
    }

    private void release(Map<String, NDArray> values, Node node, int index, Set<String> keep,
                         Map<String, NDArray> feeds) {
        for (String name : node.inputs()) {
            if (lastUse.getOrDefault(name, -1) == index && !keep.contains(name) && !feeds.containsKey(name)) {
                NDArray v = values.remove(name);
                if (v != null && !isStillUsed(v, values)) {
                    MemoryCheck.release(v);
                }
            }
        }
    }

    /** Identity-like ops pass an array through; never free one that another name still refers to. */
    private static boolean isStillUsed(NDArray v, Map<String, NDArray> values) {
        for (NDArray other : values.values()) {
            if (other == v) {
                return true;
            }
        }
        return false;
    }
}
