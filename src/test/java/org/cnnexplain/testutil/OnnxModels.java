package org.cnnexplain.testutil;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.cnnexplain.onnx.proto.Onnx;

/** Small builders for hand-made ONNX graphs in tests. */
public final class OnnxModels {

    private OnnxModels() {
    }

    public static Onnx.ValueInfoProto value(String name, long... dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("n")
                    : Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name)
                .setType(Onnx.TypeProto.newBuilder().setTensorType(
                        Onnx.TypeProto.Tensor.newBuilder().setElemType(1).setShape(shape))).build();
    }

    public static Onnx.TensorProto floats(String name, float[] v, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(1)
                .setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }

    public static Onnx.NodeProto node(String op, String name, String[] in, String out, Onnx.AttributeProto... attrs) {
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(name).addOutput(out);
        for (String i : in) {
            n.addInput(i);
        }
        for (Onnx.AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        return n.build();
    }

    public static Onnx.AttributeProto ints(String name, long... v) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    public static Onnx.AttributeProto intAttr(String name, long v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT).setI(v)
                .build();
    }

    public static Onnx.AttributeProto floatAttr(String name, float v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.FLOAT)
                .setF(v).build();
    }

    public static Onnx.AttributeProto stringAttr(String name, String v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v)).build();
    }

    /** An int64 initializer, e.g. the {@code axes} input of Reduce* from opset 18. */
    public static Onnx.TensorProto int64s(String name, long... v) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(7).addDims(v.length);
        for (long x : v) {
            t.addInt64Data(x);
        }
        return t.build();
    }

    /** A node with several outputs (Split). */
    public static Onnx.NodeProto node(String op, String name, String[] in, String[] out, Onnx.AttributeProto... attrs) {
        Onnx.NodeProto.Builder n = node(op, name, in, out[0], attrs).toBuilder();
        for (int i = 1; i < out.length; i++) {
            n.addOutput(out[i]);
        }
        return n.build();
    }

    /** The serialized model of {@code graph} at {@code opset}, with the IR version released with it (8 for 18, 9 for 19-20, 10 for 21). */
    public static byte[] model(int opset, Onnx.GraphProto.Builder graph) {
        return Onnx.ModelProto.newBuilder().setIrVersion(opset >= 21 ? 10 : opset >= 19 ? 9 : opset >= 18 ? 8 : 7)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(opset)).setGraph(graph).build()
                .toByteArray();
    }
}
