package org.cnnexplain.onnx;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.cnnexplain.UserError;
import org.cnnexplain.onnx.proto.Onnx.TensorProto;
import org.cnnexplain.graph.Tensors;

/**
 * Turns an ONNX {@code TensorProto} into an NDArray.
 *
 * <p>Floating-point data of any width becomes float32 (the engine computes in
 * float32); integer data becomes int64 (it only ever feeds shape arithmetic and
 * indices), booleans stay booleans. Values come from {@code raw_data}
 * (little-endian) or from the typed repeated fields.
 */
final class TensorDecoder {

    private TensorDecoder() {
    }

    static NDArray decode(TensorProto t, NDManager manager, String what) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            throw new UserError(what + " keeps its values in an external data file, which is not supported;"
                    + " re-export the model with its weights inside the .onnx file");
        }
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new UserError(what + " has a negative dimension " + d);
            }
            count = Math.multiplyExact(count, d);
        }
        if (count > Integer.MAX_VALUE / 8) {
            throw new UserError(what + " is too large (" + count + " values)");
        }
        Shape shape = new Shape(dims);
        int n = (int) count;
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        boolean hasRaw = !t.getRawData().isEmpty();
        TensorProto.DataType type = TensorProto.DataType.forNumber(t.getDataType());
        if (type == null) {
            throw new UserError(what + " has unknown ONNX data type " + t.getDataType());
        }
        switch (type) {
            case FLOAT, DOUBLE, FLOAT16 -> {
                float[] v = new float[n];
                int width = type == TensorProto.DataType.FLOAT ? 4 : type == TensorProto.DataType.DOUBLE ? 8 : 2;
                expect(what, n, hasRaw ? raw.remaining() / width : typedCount(t, type), hasRaw);
                for (int i = 0; i < n; i++) {
                    if (hasRaw) {
                        v[i] = switch (type) {
                            case FLOAT -> raw.getFloat();
                            case DOUBLE -> (float) raw.getDouble();
                            default -> halfToFloat(raw.getShort());
                        };
                    } else {
                        v[i] = switch (type) {
                            case FLOAT -> t.getFloatData(i);
                            case DOUBLE -> (float) t.getDoubleData(i);
                            default -> halfToFloat((short) t.getInt32Data(i));
                        };
                    }
                }
                return Tensors.of(manager, v, shape);
            }
            case INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32 -> {
                int width = switch (type) {
                    case INT64 -> 8;
                    case INT32, UINT32 -> 4;
                    case INT16, UINT16 -> 2;
                    default -> 1;
                };
                long[] v = new long[n];
                expect(what, n, hasRaw ? raw.remaining() / width : typedCount(t, type), hasRaw);
                for (int i = 0; i < n; i++) {
                    if (hasRaw) {
                        v[i] = switch (type) {
                            case INT64 -> raw.getLong();
                            case INT32 -> raw.getInt();
                            case UINT32 -> Integer.toUnsignedLong(raw.getInt());
                            case INT16 -> raw.getShort();
                            case UINT16 -> Short.toUnsignedInt(raw.getShort());
                            case INT8 -> raw.get();
                            default -> Byte.toUnsignedInt(raw.get());
                        };
                    } else {
                        v[i] = type == TensorProto.DataType.INT64 ? t.getInt64Data(i)
                                : type == TensorProto.DataType.UINT32 ? t.getUint64Data(i) : t.getInt32Data(i);
                    }
                }
                return Tensors.of(manager, v, shape);
            }
            case BOOL -> {
                boolean[] v = new boolean[n];
                expect(what, n, hasRaw ? raw.remaining() : t.getInt32DataCount(), hasRaw);
                for (int i = 0; i < n; i++) {
                    v[i] = hasRaw ? raw.get() != 0 : t.getInt32Data(i) != 0;
                }
                return Tensors.of(manager, v, shape);
            }
            default -> throw new UserError(what + " has data type " + type + ", which is not supported");
        }
    }

    private static int typedCount(TensorProto t, TensorProto.DataType type) {
        return switch (type) {
            case FLOAT -> t.getFloatDataCount();
            case DOUBLE -> t.getDoubleDataCount();
            case INT64 -> t.getInt64DataCount();
            case UINT32 -> t.getUint64DataCount();
            default -> t.getInt32DataCount();
        };
    }

    private static void expect(String what, int n, int found, boolean raw) {
        if (found != n) {
            throw new UserError(what + " should hold " + n + " values but its " + (raw ? "raw data holds " : "data holds ")
                    + found + " (truncated or corrupt model?)");
        }
    }


    /** IEEE 754 half precision to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;   // subnormal
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
