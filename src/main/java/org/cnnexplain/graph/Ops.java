package org.cnnexplain.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import java.util.function.Function;
import java.util.TreeMap;
import org.cnnexplain.UserError;

/**
 * The registry of supported ONNX operators: op type → forward computation.
 *
 * <p>An op that is not here is refused by name (with the node that uses it)
 * when the model is loaded, never skipped or approximated.
 */
public final class Ops {

    private static final Map<String, Op> OPS = new TreeMap<>();

    static {
        ConvOps.register(OPS);
        PoolOps.register(OPS);
        ActivationOps.register(OPS);
        ArithmeticOps.register(OPS);
        LinearOps.register(OPS);
        NormalizationOps.register(OPS);
        ReduceOps.register(OPS);
        ShapeOps.register(OPS);
        ResizeOps.register(OPS);
    }

    private Ops() {
    }

    /** The op for {@code node}, or a {@link UserError} naming the op and the node. */
    public static Op forNode(Node node) {
        Op op = OPS.get(node.opType());
        if (op == null) {
            throw new UserError("unsupported ONNX op '" + node.opType() + "' in node '" + node.name()
                    + "' (supported: " + String.join(", ", OPS.keySet()) + ")");
        }
        return op;
    }

    /**
     * The op for {@code node}, specialised for the inputs that are constants ({@code constant} gives a
     * constant's stored tensor by name, or null): an op that would read a constant into Java on every run
     * (Clip's bounds, Pad's amounts) reads it here, once; one that would make a scalar tensor from Java
     * on every run (HardSigmoid, HardSwish) makes it here, in {@code constants}, the model's manager.
     */
    public static Op forNode(Node node, Function<String, NDArray> constant, NDManager constants) {
        Op generic = forNode(node);
        Op bound = switch (node.opType()) {
            case "Clip" -> ActivationOps.bindClip(node, constant);
            case "Pad" -> ShapeOps.bindPad(node, constant);
            case "HardSigmoid" -> ActivationOps.bindHardSigmoid(node, constants, false);
            case "HardSwish" -> ActivationOps.bindHardSigmoid(node, constants, true);
            default -> null;
        };
        return bound == null ? generic : bound;
    }

}
