package org.cnnexplain.model;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.util.Locale;

/**
 * Caps the instruction set of oneDNN, libtorch's CPU convolution library, at SSE4.1 before the
 * engine starts.
 *
 * <p>Why: on an AMD EPYC with AVX-512 (the machines this project is tested on), the JIT kernels
 * of the oneDNN inside DJL's libtorch 2.7.1 return wrong numbers for some convolutions,
 * deterministically and without an error. With every kernel allowed, a U-Net's logits are off by
 * 33 % and a ResNet's input gradient by 65 % against PyTorch; capped at AVX2, those pass but the
 * deconvnet projections of the ResNet- and DenseNet-shaped models are still off by 12 % and NaN;
 * capped at SSE4.1, every parity test passes. Debian's torch 1.13 on the same machine is right.
 * The cost, measured: demo Grad-CAM 5.7 ms uncapped, 6.7 ms at SSE4.1 (median of 300). Results
 * that do not depend on the processor are worth that. Since {@link NativeConvolutions} routes
 * convolutions to libtorch's own kernels, the cap no longer costs convolution time; it stays for
 * whatever else in libtorch may call oneDNN, and for {@code -Dcnnexplain.convolutions=onednn}.
 *
 * <p>oneDNN reads the variable once, when it first dispatches a kernel, so it is set in this
 * process's environment (libc {@code setenv}, through JNA, which DJL already ships) before
 * libtorch runs anything. A {@code DNNL_MAX_CPU_ISA} the user set wins;
 * {@code -Dcnnexplain.onednn.isa=ALL} lifts the cap, another value (such as {@code AVX2})
 * replaces it.
 */
final class OneDnnIsa {

    static final String VARIABLE = "DNNL_MAX_CPU_ISA";
    static final String DEFAULT_CAP = "SSE41";
    private static boolean applied;

    private OneDnnIsa() {
    }

    /** The cap in force after {@link #apply()}: the variable's value, or null for none. */
    static synchronized String apply() {
        if (!applied) {
            applied = true;
            String wanted = System.getProperty("cnnexplain.onednn.isa", DEFAULT_CAP).trim().toUpperCase(Locale.ROOT);
            if (System.getenv(VARIABLE) == null && !wanted.equals("ALL") && isX86()) {
                set(VARIABLE, wanted);
            }
        }
        return current();
    }

    private static boolean isX86() {
        String arch = System.getProperty("os.arch", "");
        return arch.equals("amd64") || arch.equals("x86_64");
    }

    /** What the native environment holds (System.getenv is a snapshot taken at JVM start). */
    private static String current() {
        try {
            return Platform.isWindows() ? System.getenv(VARIABLE) : LibC.INSTANCE.getenv(VARIABLE);
        } catch (UnsatisfiedLinkError e) {
            return System.getenv(VARIABLE);
        }
    }

    /** Sets a variable in this process's native environment (for libraries that read it), unless it is set. */
    static void set(String name, String value) {
        try {
            if (Platform.isWindows()) {
                Kernel32.INSTANCE.SetEnvironmentVariableA(name, value);
            } else {
                LibC.INSTANCE.setenv(name, value, 0);
            }
        } catch (UnsatisfiedLinkError e) {
            // no libc through JNA: run with the default kernels rather than not at all
        }
    }

    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int setenv(String name, String value, int overwrite);

        String getenv(String name);
    }

    interface Kernel32 extends Library {
        Kernel32 INSTANCE = Native.load("kernel32", Kernel32.class);

        boolean SetEnvironmentVariableA(String name, String value);
    }
}
