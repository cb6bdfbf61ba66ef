package org.cnnexplain.model;

import ai.djl.pytorch.jni.LibUtils;
import org.cnnexplain.graph.ConvKernels;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Routes libtorch's CPU convolutions to its own kernels instead of oneDNN's.
 *
 * <p>Why: oneDNN's wide kernels give wrong convolutions on the AMD EPYC machines this project is
 * tested on ({@link OneDnnIsa}), and its SSE4.1 kernels, which are right, are slow (a full-size
 * ResNet-18 forward pass 4.5× slower than uncapped). libtorch's own convolutions (im2col and a
 * matrix product) need no oneDNN at all. PyTorch exposes the switch to Python as
 * {@code torch.backends.mkldnn.enabled}; DJL does not expose it, so it is flipped here on
 * libtorch's global context through JNA, by the C++ symbols libtorch exports:
 * {@code at::globalContext()} and {@code at::Context::setUserEnabledMkldnn(bool)}.
 *
 * <p>{@code -Dcnnexplain.convolutions=onednn} keeps oneDNN (capped as {@link OneDnnIsa} says). Grouped
 * (depthwise) convolutions still go through oneDNN's SSE4.1 kernels while that cap is in force
 * ({@link ConvKernels#groupedThroughOneDnn}; {@code -Dcnnexplain.convolutions.grouped.native=true} keeps
 * them on libtorch's own).
 */
final class NativeConvolutions {

    static final String PROPERTY = "cnnexplain.convolutions";
    private static Boolean applied;

    private NativeConvolutions() {
    }

    /** Switches oneDNN off once, after the engine has loaded libtorch; true when it is off. */
    static synchronized boolean apply() {
        if (applied == null) {
            String wanted = System.getProperty(PROPERTY, "native").trim().toLowerCase(Locale.ROOT);
            applied = wanted.equals("native") && setOneDnnEnabled(false);
            ConvKernels.convolveSampleBySample(applied);
            // grouped convolutions through oneDNN only where its kernels are the ones known to be right
            boolean capped = OneDnnIsa.DEFAULT_CAP.equals(OneDnnIsa.apply());
            ConvKernels.groupedThroughOneDnn(applied && capped && !Boolean.getBoolean(PROPERTY + ".grouped.native")
                    ? mkldnnFlag() : null);
        }
        return applied;
    }

    /** libtorch's oneDNN flag alone, its function and context looked up once: a switch cheap enough per call. */
    private static ConvKernels.OneDnnSwitch mkldnnFlag() {
        try {
            NativeLibrary torch = NativeLibrary.getInstance(Path.of(LibUtils.getLibtorchPath()).resolve("libtorch_cpu.so")
                    .toString());
            Pointer context = torch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
            com.sun.jna.Function set = torch.getFunction("_ZN2at7Context20setUserEnabledMkldnnEb");
            return on -> set.invokeVoid(new Object[] {context, on});
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return null;
        }
    }

    private static boolean setOneDnnEnabled(boolean enabled) {
        if (!Platform.isLinux() || !Platform.is64Bit()) {
            return false;   // the symbol names below are the Itanium C++ ABI's (Linux and macOS builds)
        }
        try {
            Path lib = Path.of(LibUtils.getLibtorchPath()).resolve("libtorch_cpu.so");
            if (!Files.isRegularFile(lib)) {
                return false;
            }
            NativeLibrary torch = NativeLibrary.getInstance(lib.toString());
            Pointer context = torch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
            torch.getFunction("_ZN2at7Context20setUserEnabledMkldnnEb").invokeVoid(new Object[] {context, enabled});
            // NNPACK serves only batches of 16 and more, which ConvOps no longer sends; switched off, libtorch
            // also stops printing "Could not initialize NNPACK!" on every convolution where it is unsupported
            torch.getFunction("_ZN2at7Context20setUserEnabledNNPACKEb").invokeVoid(new Object[] {context, enabled});
            int now = torch.getFunction("_ZNK2at7Context17userEnabledMkldnnEv").invokeInt(new Object[] {context});
            return ((now & 0xff) != 0) == enabled;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return false;   // another libtorch build: oneDNN stays on, capped by OneDnnIsa
        }
    }
}
