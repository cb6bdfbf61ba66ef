/**
 * Benchmark harnesses, run by hand with {@code .ci/bench} (not part of the test
 * suite: these machines are shared and noisy). Each prints medians and ratios
 * measured side by side in one run, with the machine and thread count.
 */
package org.cnnexplain.bench;
