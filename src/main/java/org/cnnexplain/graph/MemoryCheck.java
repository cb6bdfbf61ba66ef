package org.cnnexplain.graph;

import ai.djl.ndarray.NDArray;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/**
 * A strict mode that makes native use-after-free bugs deterministic instead of rare.
 *
 * <p>DJL's PyTorch engine wraps a tensor created from Java data ({@code manager.create(long[])})
 * around a direct {@link ByteBuffer} without copying it, and only that one NDArray object keeps the
 * buffer alive. Once it is closed, the buffer is freed at the next garbage collection; a libtorch
 * <em>view</em> of it (a slice, a reshape) then reads freed memory — usually still intact, sometimes
 * already reused. In strict mode every tensor the executor frees has its Java buffer overwritten
 * with a poison pattern and released at once, and a garbage collection runs after every node, so
 * such a view reads garbage every time.
 *
 * <p>On by {@code -Dcnnexplain.memcheck=true} (or {@code =K}: garbage-collect after every K-th
 * node), or {@link #setEnabled} from a test. Off, it costs one volatile read per node.
 */
public final class MemoryCheck {

    /** NaN as float32, an absurd size as int64: whichever way it is read, it cannot pass as data. */
    private static final int POISON = 0x7FC0DEAD;

    private static volatile int gcEvery = parse(System.getProperty("cnnexplain.memcheck"));
    private static long nodes;

    private MemoryCheck() {
    }

    private static int parse(String value) {
        if (value == null || value.isEmpty() || value.equals("false")) {
            return 0;
        }
        return value.equals("true") ? 1 : Math.max(1, Integer.parseInt(value));
    }

    public static boolean enabled() {
        return gcEvery > 0;
    }

    /** Turns strict mode on (garbage collection after every node) or off. */
    public static void setEnabled(boolean on) {
        setGcEvery(on ? 1 : 0);
    }

    /** Strict mode with a garbage collection after every {@code k}-th node; 0 turns it off. */
    public static void setGcEvery(int k) {
        gcEvery = Math.max(0, k);
    }

    /** Closes a tensor the executor no longer needs; in strict mode, poisons and frees its Java buffer now. */
    static void release(NDArray tensor) {
        ByteBuffer javaMemory = enabled() ? javaBuffer(tensor) : null;
        tensor.close();
        if (javaMemory != null) {
            poisonAndFree(javaMemory);
        }
    }

    /**
     * In strict mode, refuses a tensor whose memory Java owns (made by {@code manager.create} instead
     * of {@link Tensors}): every tensor of a run must live in libtorch's own storage.
     */
    static void requireOwned(String name, NDArray tensor) {
        if (enabled() && javaBuffer(tensor) != null) {
            throw new IllegalStateException("tensor '" + name + "' lives in Java memory; create it with Tensors.of");
        }
    }

    /** Called after every node: in strict mode, a garbage collection (every K-th node). */
    static void afterNode() {
        int every = gcEvery;
        if (every > 0 && ++nodes % every == 0) {
            System.gc();
        }
    }

    /** The direct buffer DJL keeps for a tensor made from Java data, or null (libtorch owns the memory). */
    static ByteBuffer javaBuffer(NDArray tensor) {
        try {
            Field f = tensor.getClass().getDeclaredField("dataRef");
            f.setAccessible(true);
            return (ByteBuffer) f.get(tensor);
        } catch (NoSuchFieldException e) {
            return null;   // another engine: nothing to check
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("memory check cannot inspect " + tensor.getClass(), e);
        }
    }

    private static void poisonAndFree(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        b.clear();
        while (b.remaining() >= 4) {
            b.putInt(POISON);
        }
        DirectBuffers.free(buffer);
    }
}
