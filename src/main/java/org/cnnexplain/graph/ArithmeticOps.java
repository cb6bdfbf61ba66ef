package org.cnnexplain.graph;

import static org.cnnexplain.graph.OpSupport.one;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/** Elementwise arithmetic with numpy-style broadcasting (as ONNX defines it). */
final class ArithmeticOps {

    private ArithmeticOps() {
    }

    static void register(Map<String, Op> ops) {
        binary(ops, "Add", NDArray::add);
        binary(ops, "Sub", NDArray::sub);
        binary(ops, "Mul", NDArray::mul);
        binary(ops, "Pow", NDArray::pow);
        binary(ops, "Max", NDArray::maximum);
        binary(ops, "Min", NDArray::minimum);
        ops.put("Div", (node, in) -> one(divide(in.get(0), in.get(1))));
        unary(ops, "Neg", NDArray::neg);
        unary(ops, "Abs", NDArray::abs);
        unary(ops, "Sqrt", NDArray::sqrt);
        unary(ops, "Exp", NDArray::exp);
        unary(ops, "Log", NDArray::log);
        unary(ops, "Reciprocal", a -> a.onesLike().div(a));
        unary(ops, "Floor", NDArray::floor);
        unary(ops, "Ceil", NDArray::ceil);
        unary(ops, "Erf", NDArray::erf);
    }

    private static void binary(Map<String, Op> ops, String name, BinaryOperator<NDArray> f) {
        ops.put(name, (node, in) -> one(f.apply(in.get(0), in.get(1))));
    }

    private static void unary(Map<String, Op> ops, String name, UnaryOperator<NDArray> f) {
        ops.put(name, (node, in) -> one(f.apply(in.get(0))));
    }

    /** ONNX integer division truncates (shape arithmetic relies on it); torch's div would give floats. */
    private static NDArray divide(NDArray a, NDArray b) {
        if (a.getDataType().isInteger() && b.getDataType().isInteger()) {
            DataType type = a.getDataType();
            return a.toType(DataType.FLOAT64, false).div(b.toType(DataType.FLOAT64, false)).toType(type, false);
        }
        return a.div(b);
    }
}
