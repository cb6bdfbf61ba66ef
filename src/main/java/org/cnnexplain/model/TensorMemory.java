package org.cnnexplain.model;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.util.Locale;

/**
 * Keeps freed tensor memory in the process for the next tensors instead of handing it back to the
 * system and faulting it in again.
 *
 * <p>Why: glibc's allocator serves every block above its mmap threshold (which grows with use, up to
 * 32 MB) with a fresh {@code mmap} and returns it on free, so every tensor larger than that is
 * page-faulted in, 4 KB at a time, the kernel zeroing each page, by the op that writes it. At batch 16
 * that was most of the time of the memory-bound ops: densenet121's forward pass took 3.9–4.3 s of CPU,
 * 2.1 s with the blocks kept ({@code mallopt(M_MMAP_MAX, 0)}: no mmap, every block from the heap, reused;
 * {@code M_TRIM_THRESHOLD} 512 MB: free memory at the heap's top is handed back only beyond that).
 * The price: memory a large batch needed stays with the process (ready for the next one) rather than
 * going back to the system. libtorch's own {@code THP_MEM_ALLOC_ENABLE} (huge pages) was tried first:
 * as fast at batch 16, but 4× slower on small models, whose tensors glibc reuses anyway once its
 * threshold has grown (every huge-page block is a fresh mapping).
 *
 * <p>Linux (glibc) only; {@code -Dcnnexplain.malloc=system} leaves the allocator as it is.
 */
final class TensorMemory {

    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_MAX = -4;
    private static boolean applied;

    private TensorMemory() {
    }

    static synchronized void apply() {
        if (applied) {
            return;
        }
        applied = true;
        boolean wanted = !System.getProperty("cnnexplain.malloc", "keep").trim().toLowerCase(Locale.ROOT)
                .equals("system");
        if (wanted && Platform.isLinux()) {
            try {
                LibC.INSTANCE.mallopt(M_TRIM_THRESHOLD, 512 << 20);
                LibC.INSTANCE.mallopt(M_MMAP_MAX, 0);
            } catch (UnsatisfiedLinkError e) {
                // another C library: its own allocator's behaviour
            }
        }
    }

    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int mallopt(int param, int value);
    }
}
