package org.cnnexplain.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether autograd recorded the op that made a tensor (the tensor has a {@code grad_fn}), for
 * {@link ExecutorProfile}, the tests that prove forward-only runs record nothing, and ops whose fast
 * path has another backward than the op ({@code PoolOps}' 2 × 2 max pool).
 *
 * <p>DJL answers only half of it: {@code NDArray.hasGradient()} is libtorch's {@code requires_grad()}
 * restricted to leaves (tensors made by the user), so an op's result never has one, recorded or not.
 * libtorch exports {@code torch::autograd::impl::grad_fn_unsafe(const Tensor&)}, which returns the raw
 * {@code grad_fn} pointer (null when the op was not recorded); DJL's handle of a tensor is a pointer to
 * its {@code at::Tensor}, so it is called through JNA with that handle, as {@code model.NativeConvolutions}
 * calls libtorch's global context.
 */
public final class AutogradHistory {

    private static final Function GRAD_FN = lookup();

    private AutogradHistory() {
    }

    /** True when the tensor takes part in autograd: a leaf that requires a gradient, or an op's recorded result. */
    public static boolean records(NDArray tensor) {
        if (tensor.hasGradient()) {
            return true;
        }
        if (GRAD_FN == null || !(tensor instanceof PtNDArray pt)) {
            throw new IllegalStateException("this libtorch build does not export grad_fn_unsafe; cannot inspect autograd");
        }
        return GRAD_FN.invokePointer(new Object[] {new Pointer(pt.getHandle())}) != null;
    }

    /**
     * True only when the tensor certainly takes no part in autograd: false when it does, and false when
     * this libtorch cannot tell (then callers keep the path that is right either way).
     */
    public static boolean surelyNone(NDArray tensor) {
        return GRAD_FN != null && tensor instanceof PtNDArray && !records(tensor);
    }

    private static Function lookup() {
        try {
            Path lib = Path.of(LibUtils.getLibtorchPath()).resolve("libtorch_cpu.so");
            if (!Files.isRegularFile(lib)) {
                return null;
            }
            return NativeLibrary.getInstance(lib.toString())
                    .getFunction("_ZN5torch8autograd4impl14grad_fn_unsafeERKN2at6TensorE");
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return null;
        }
    }
}
