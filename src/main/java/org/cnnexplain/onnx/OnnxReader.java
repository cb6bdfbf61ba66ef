package org.cnnexplain.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cnnexplain.UserError;
import org.cnnexplain.graph.Attributes;
import org.cnnexplain.graph.Graph;
import org.cnnexplain.graph.Node;
import org.cnnexplain.onnx.proto.Onnx.AttributeProto;
import org.cnnexplain.onnx.proto.Onnx.GraphProto;
import org.cnnexplain.onnx.proto.Onnx.ModelProto;
import org.cnnexplain.onnx.proto.Onnx.NodeProto;
import org.cnnexplain.onnx.proto.Onnx.OperatorSetIdProto;
import org.cnnexplain.onnx.proto.Onnx.TensorShapeProto;
import org.cnnexplain.onnx.proto.Onnx.ValueInfoProto;
import org.cnnexplain.graph.Tensors;

/**
 * Reads an ONNX file into a {@link Graph} whose weights live in {@code manager}.
 *
 * <pre>{@code
 * Graph g = OnnxReader.read(Path.of("test-images/models/demo.onnx"), modelManager);
 * g.nodes().get(0);   // Conv node '/block1/block1.0/Conv'
 * }</pre>
 *
 * Everything a broken or foreign file can do wrong ends in a {@link UserError}
 * naming the file and the problem.
 */
public final class OnnxReader {

    /** Oldest default-domain opset accepted; older exporters used different op semantics. */
    public static final int MIN_OPSET = 7;

    /**
     * Newest default-domain opset accepted: every supported op was checked against the changes up to
     * it (Opset18To21Test); a newer one may have changed what an op means.
     */
    public static final int MAX_OPSET = 21;

    private OnnxReader() {
    }

    public static Graph read(Path file, NDManager manager) {
        String where = "model '" + file.getFileName() + "'";
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UserError("cannot read " + where + ": " + e.getMessage());
        }
        if (bytes.length == 0) {
            throw new UserError(where + " is an empty file");
        }
        ModelProto model;
        try {
            model = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new UserError(where + " is not an ONNX model (it does not parse as one; truncated or corrupt?)");
        }
        if (model.getIrVersion() <= 0 || !model.hasGraph() || model.getGraph().getNodeCount() == 0) {
            throw new UserError(where + " is not an ONNX model (no ONNX IR version or no graph nodes)");
        }
        int opset = defaultOpset(model, where);
        NDManager weights = manager.newSubManager();
        try {
            return build(model.getGraph(), opset, weights, where);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    private static int defaultOpset(ModelProto model, String where) {
        for (OperatorSetIdProto id : model.getOpsetImportList()) {
            if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) {
                if (id.getVersion() < MIN_OPSET) {
                    throw new UserError(where + " uses ONNX opset " + id.getVersion() + "; opset " + MIN_OPSET
                            + " or later is needed (11+ recommended): re-export it");
                }
                if (id.getVersion() > MAX_OPSET) {
                    throw new UserError(where + " uses ONNX opset " + id.getVersion() + "; opsets " + MIN_OPSET + " to "
                            + MAX_OPSET + " are supported: re-export it with opset_version=" + MAX_OPSET);
                }
                return (int) id.getVersion();
            }
        }
        throw new UserError(where + " imports no standard ONNX opset");
    }

    private static Graph build(GraphProto g, int opset, NDManager weights, String where) {
        Map<String, NDArray> constants = new HashMap<>();
        for (var init : g.getInitializerList()) {
            constants.put(init.getName(), TensorDecoder.decode(init, weights, where + ": weight '" + init.getName() + "'"));
        }
        List<Graph.TensorInfo> inputs = new ArrayList<>();
        for (ValueInfoProto in : g.getInputList()) {
            if (!constants.containsKey(in.getName())) {
                inputs.add(new Graph.TensorInfo(in.getName(), dims(in)));
            }
        }
        if (inputs.isEmpty()) {
            throw new UserError(where + " declares no input tensor");
        }
        List<Node> nodes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto p = g.getNode(i);
            String name = p.getName().isEmpty() || names.contains(p.getName()) ? p.getOpType() + "_" + i : p.getName();
            names.add(name);
            if (!p.getDomain().isEmpty() && !p.getDomain().equals("ai.onnx")) {
                throw new UserError("unsupported ONNX op '" + p.getDomain() + "." + p.getOpType() + "' in node '" + name
                        + "' (only the standard ai.onnx domain is supported)");
            }
            nodes.add(new Node(name, p.getOpType(), List.copyOf(p.getInputList()), List.copyOf(p.getOutputList()),
                    attributes(p, weights, where + ": node '" + name + "'"), opset));
        }
        Set<String> available = new HashSet<>(constants.keySet());
        inputs.forEach(in -> available.add(in.name()));
        List<Node> ordered = topologicalOrder(nodes, available, where);
        List<String> outputs = g.getOutputList().stream().map(ValueInfoProto::getName).toList();
        Set<String> produced = new HashSet<>(available);
        ordered.forEach(n -> produced.addAll(n.outputs()));
        for (String out : outputs) {
            if (!produced.contains(out)) {
                throw new UserError(where + ": graph output '" + out + "' is produced by no node");
            }
        }
        return new Graph(List.copyOf(ordered), Map.copyOf(constants), List.copyOf(inputs), outputs, opset, weights);
    }

    private static long[] dims(ValueInfoProto in) {
        TensorShapeProto shape = in.getType().getTensorType().getShape();
        long[] d = new long[shape.getDimCount()];
        for (int i = 0; i < d.length; i++) {
            var dim = shape.getDim(i);
            d[i] = dim.hasDimValue() && dim.getDimValue() > 0 ? dim.getDimValue() : -1;
        }
        return d;
    }

    private static Attributes attributes(NodeProto p, NDManager weights, String where) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (AttributeProto a : p.getAttributeList()) {
            Object v = switch (a.getType()) {
                case FLOAT -> a.getF();
                case INT -> a.getI();
                case STRING -> a.getS().toString(StandardCharsets.UTF_8);
                case TENSOR -> TensorDecoder.decode(a.getT(), weights, where + " attribute '" + a.getName() + "'");
                case FLOATS -> toFloats(a.getFloatsList());
                case INTS -> a.getIntsList().stream().mapToLong(Long::longValue).toArray();
                case STRINGS -> a.getStringsList().stream().map(s -> s.toString(StandardCharsets.UTF_8)).toArray(String[]::new);
                default -> null;   // subgraphs etc.: ops that need them are unsupported and refused by name
            };
            if (v != null) {
                values.put(a.getName(), v);
            }
        }
        // Constant's scalar and list forms all end up as one tensor "value"
        if (p.getOpType().equals("Constant") && !values.containsKey("value")) {
            Object v = values.containsKey("value_float") ? Tensors.scalar(weights, (Float) values.get("value_float"))
                    : values.containsKey("value_int") ? Tensors.scalar(weights, (Long) values.get("value_int"))
                    : values.containsKey("value_floats") ? Tensors.of(weights, (float[]) values.get("value_floats"))
                    : values.containsKey("value_ints") ? Tensors.of(weights, (long[]) values.get("value_ints")) : null;
            if (v == null) {
                throw new UserError(where + ": Constant without a supported value attribute");
            }
            values.put("value", v);
        }
        return new Attributes(values);
    }

    private static float[] toFloats(List<Float> list) {
        float[] f = new float[list.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = list.get(i);
        }
        return f;
    }

    /**
     * Kahn's algorithm over tensor dependencies, in file order where the file allows. A node whose inputs are never
     * produced, or a set of nodes that wait on each other (a cycle), is an error.
     */
    static List<Node> topologicalOrder(List<Node> nodes, Set<String> available, String where) {
        Map<String, List<Node>> readers = new HashMap<>();
        Map<Node, Integer> waiting = new LinkedHashMap<>();
        Set<String> producedBySomeNode = new HashSet<>();
        nodes.forEach(n -> producedBySomeNode.addAll(n.outputs()));
        for (Node n : nodes) {
            int missing = 0;
            for (String in : new HashSet<>(n.inputs())) {
                if (in.isEmpty() || available.contains(in)) {
                    continue;
                }
                if (!producedBySomeNode.contains(in)) {
                    throw new UserError(where + ": node '" + n.name() + "' reads tensor '" + in
                            + "', which is neither an input, a weight (missing initializer?), nor produced by a node");
                }
                readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
                missing++;
            }
            waiting.put(n, missing);
        }
        // among the nodes ready to run, take the one earliest in the file: keeps the exporter's order
        Map<Node, Integer> position = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            position.put(nodes.get(i), i);
        }
        java.util.PriorityQueue<Node> ready = new java.util.PriorityQueue<>(java.util.Comparator.comparing(position::get));
        waiting.forEach((n, m) -> {
            if (m == 0) {
                ready.add(n);
            }
        });
        List<Node> order = new ArrayList<>();
        Set<String> done = new HashSet<>();
        while (!ready.isEmpty()) {
            Node n = ready.poll();
            order.add(n);
            for (String out : n.outputs()) {
                if (!done.add(out)) {
                    continue;
                }
                for (Node r : readers.getOrDefault(out, List.of())) {
                    if (waiting.merge(r, -1, Integer::sum) == 0) {
                        ready.add(r);
                    }
                }
            }
        }
        if (order.size() != nodes.size()) {
            List<String> stuck = nodes.stream().filter(n -> !order.contains(n)).limit(3).map(Node::name).toList();
            throw new UserError(where + " has a cycle in its graph (through nodes " + String.join(", ", stuck) + ")");
        }
        return order;
    }
}
