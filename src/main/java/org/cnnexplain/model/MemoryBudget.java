package org.cnnexplain.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.cnnexplain.UserError;

/**
 * Whether an input's activations fit in this machine's memory. The engine's tensors
 * are native memory, and running out of it kills the whole program (Fiji with it),
 * so a huge image to a model that takes any size is a clear error instead.
 *
 * <p>The estimate: the values of every layer's output for one reference input (the
 * model's declared size, or for a model that takes any size the size its graph was
 * probed at, see {@link InputSizes}), per input value, times the input, times the copies an
 * explanation keeps; it must stay under half the physical memory.
 * For the demo model (128 × 128) that is 65 activations per pixel, so a
 * 100,000 × 100,000 image would need some 8 TB and is refused.
 */
final class MemoryBudget {

    /** Activation values per input value when the reference shape is unknown: a generous guess. */
    private static final double UNKNOWN_ACTIVATIONS_PER_INPUT = 500;

    /** Forward activations kept for the backward pass, plus gradients and the reverse pass's copies. */
    private static final double EXPLANATION_COPIES = 3;

    private MemoryBudget() {
    }

    static void check(long[] input, long[] reference, Supplier<List<Layer>> layers) {
        double perInput = UNKNOWN_ACTIVATIONS_PER_INPUT;
        if (Arrays.stream(reference).allMatch(d -> d > 0)) {
            perInput = layers.get().stream().mapToDouble(l -> product(l.shape())).sum() / product(reference);
        }
        double bytes = 4.0 * product(input) * perInput * EXPLANATION_COPIES;
        long memory = physicalMemory();
        if (bytes > memory / 2.0) {
            throw new UserError(String.format(Locale.ROOT, "an input of %s pixels would need about %d MB for the"
                    + " model's activations, more than half of this machine's %d MB; crop or scale the image first",
                    pixels(input), (long) (bytes / (1 << 20)), memory / (1 << 20)));
        }
    }

    private static double product(long[] shape) {
        double n = 1;
        for (long d : shape) {
            n *= Math.max(1, d);
        }
        return n;
    }

    /** "128 x 128" from (N, C, H, W). */
    private static String pixels(long[] shape) {
        return Arrays.stream(shape, 2, shape.length).mapToObj(Long::toString)
                .collect(java.util.stream.Collectors.joining(" x "));
    }

    private static long physicalMemory() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 8L << 30;
    }
}
