package org.cnnexplain.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import ai.djl.ndarray.types.Shape;

/**
 * The one way this project turns Java data into a tensor: copied into memory that libtorch owns.
 *
 * <pre>{@code
 * NDArray dims = Tensors.of(run, new long[] {1, 64});          // int64 [2]
 * NDArray x = Tensors.of(run, pixels, new Shape(1, 1, 128, 128)); // float32
 * }</pre>
 *
 * <p>Why not {@code manager.create(...)}: DJL's PyTorch engine wraps a direct buffer holding the
 * Java data without copying it, and only that NDArray object keeps the buffer alive. A libtorch
 * view of the tensor (a slice, a reshape — ONNX Gather on a Shape output is one) shares the memory
 * but not the Java reference, so once the executor closes the original and the garbage collector
 * frees the buffer, the view reads freed memory: a batch size of 139842792980864, or silently
 * wrong weights. libtorch reference-counts its own storage across views, so a copy made here lives
 * exactly as long as the last view of it. The copy costs one memcpy of data that is small (shape
 * vectors, helper matrices) or copied anyway (an input batch on its way to a convolution).
 * {@link MemoryCheck} makes the old failure deterministic and finds any tensor that slips past.
 */
public final class Tensors {

    private Tensors() {
    }

    public static NDArray of(NDManager manager, float[] data, Shape shape) {
        ByteBuffer b = direct(data.length * 4L);
        b.asFloatBuffer().put(data);
        return owned(manager, b, shape, DataType.FLOAT32);
    }

    public static NDArray of(NDManager manager, long[] data, Shape shape) {
        ByteBuffer b = direct(data.length * 8L);
        b.asLongBuffer().put(data);
        return owned(manager, b, shape, DataType.INT64);
    }

    public static NDArray of(NDManager manager, boolean[] data, Shape shape) {
        ByteBuffer b = direct(data.length);
        for (boolean v : data) {
            b.put((byte) (v ? 1 : 0));
        }
        return owned(manager, b, shape, DataType.BOOLEAN);
    }

    /** A 1-D float32 tensor. */
    public static NDArray of(NDManager manager, float[] data) {
        return of(manager, data, new Shape(data.length));
    }

    /** A 1-D int64 tensor. */
    public static NDArray of(NDManager manager, long[] data) {
        return of(manager, data, new Shape(data.length));
    }

    /** A float32 scalar (shape ()). */
    public static NDArray scalar(NDManager manager, float value) {
        return of(manager, new float[] {value}, new Shape());
    }

    /** An int64 scalar (shape ()). */
    public static NDArray scalar(NDManager manager, long value) {
        return of(manager, new long[] {value}, new Shape());
    }

    /**
     * A view of a stored tensor (a weight, a Constant node's value) that belongs to {@code run}, so
     * that results of ops on it stay in the run and nothing is added to the model's manager.
     * DJL's {@code get(manager, new NDIndex())} views every tensor except a scalar, which it copies
     * into a fresh Java-backed tensor; a scalar therefore goes through a rank-1 view.
     */
    public static NDArray viewIn(NDManager run, NDArray stored) {
        if (!stored.getShape().isScalar()) {
            return stored.get(run, new NDIndex());
        }
        try (NDArray rank1 = stored.reshape(1)) {
            return rank1.get(run, new NDIndex()).reshape(new Shape());
        }
    }

    /**
     * An int64/int32 tensor's values in Java (shape arithmetic: axes, shapes, indices). The ops read
     * tensor data only through these methods, so {@link ExecutorProfile} counts every such copy.
     */
    public static long[] longsOf(NDArray a) {
        ExecutorProfile.toJava(a);
        return a.getDataType() == DataType.INT64 ? a.toLongArray() : a.toType(DataType.INT64, false).toLongArray();
    }

    /** A tensor's values as float32 in Java. */
    public static float[] floatsOf(NDArray a) {
        ExecutorProfile.toJava(a);
        return a.getDataType() == DataType.FLOAT32 ? a.toFloatArray() : a.toType(DataType.FLOAT32, false).toFloatArray();
    }

    /** A one-element tensor's value as a double. */
    public static double doubleOf(NDArray a) {
        ExecutorProfile.toJava(a);
        return a.toType(DataType.FLOAT64, false).getDouble();
    }

    private static ByteBuffer direct(long bytes) {
        return ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.nativeOrder());
    }

    /**
     * The libtorch copy of {@code data}; the Java buffer is freed at once rather than at some later
     * garbage collection, so that native memory does not pile up between collections (with a large
     * Java heap, collections are rare and each image's input would otherwise wait for one).
     */
    private static NDArray owned(NDManager manager, ByteBuffer data, Shape shape, DataType type) {
        data.rewind();
        ExecutorProfile.toTensor(type);
        try (NDArray javaBacked = manager.create(data, shape, type)) {
            return javaBacked.duplicate();
        } finally {
            DirectBuffers.free(data);
        }
    }
}
