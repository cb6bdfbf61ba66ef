package org.cnnexplain.image;

import org.cnnexplain.UserError;

/**
 * Refuses images whose float copies would not fit in memory, before anything
 * is allocated: explaining makes 32-bit copies of every plane (input and maps),
 * so a huge image is a clear error instead of an out-of-memory crash.
 */
public final class ImageLimits {

    private ImageLimits() {
    }

    /** {@code copies} float copies of a {@code width} × {@code height} × {@code planes} image must fit in half the heap. */
    public static void check(long width, long height, long planes, int copies) {
        double bytes = 4.0 * width * height * Math.max(1, planes) * Math.max(1, copies);
        long budget = Runtime.getRuntime().maxMemory() / 2;
        if (width < 1 || height < 1 || bytes > budget) {
            throw new UserError(String.format(java.util.Locale.ROOT,
                    "the image is %d x %d pixels x %d planes: too large to explain in %d MB of memory"
                    + " (crop or scale it first, or give Java more memory with -Xmx)",
                    width, height, planes, budget / (1 << 20)));
        }
    }
}
