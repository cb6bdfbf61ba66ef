package org.cnnexplain.model;

import java.util.Locale;

/**
 * Asks libtorch to back its large CPU tensors with transparent huge pages, before the engine starts.
 *
 * <p>Why: every tensor of 2 MB and more comes from a fresh {@code mmap} (glibc's allocator hands big
 * blocks to the kernel and takes them back on free), so each op's output is page-faulted in 4 KB at a
 * time, the kernel zeroing every page. At batch 16 that was most of the time of the memory-bound ops:
 * DenseNet-121's forward pass took 3.9 s of CPU, 2.1 s with huge pages (one fault per 2 MB). libtorch
 * 2.7 has the switch itself: {@code THP_MEM_ALLOC_ENABLE=1} aligns such allocations to 2 MB and
 * {@code madvise}s them {@code MADV_HUGEPAGE}; it reads the variable once, at its first large allocation,
 * so it is set in this process's environment before libtorch runs. Memory still goes back to the system
 * when a tensor is freed. Linux only (elsewhere libtorch ignores it); a value the user set wins;
 * {@code -Dcnnexplain.hugepages=false} leaves it unset.
 */
final class HugePages {

    static final String VARIABLE = "THP_MEM_ALLOC_ENABLE";
    private static boolean applied;

    private HugePages() {
    }

    static synchronized void apply() {
        if (!applied) {
            applied = true;
            boolean wanted = !System.getProperty("cnnexplain.hugepages", "true").trim().toLowerCase(Locale.ROOT)
                    .equals("false");
            if (wanted && System.getenv(VARIABLE) == null && System.getProperty("os.name", "").startsWith("Linux")) {
                OneDnnIsa.set(VARIABLE, "1");
            }
        }
    }
}
