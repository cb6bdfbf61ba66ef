package org.cnnexplain.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.cnnexplain.explain.LayerGradients;
import org.cnnexplain.explain.maximize.ActivationMaximisation;
import org.cnnexplain.explain.maximize.Range;
import org.cnnexplain.explain.maximize.Regularisers;
import org.cnnexplain.explain.maximize.Settings;
import org.cnnexplain.explain.maximize.Unit;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.model.DeviceChoice;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;

/**
 * Activation maximisation's speed on the demo model (128 × 128): iterations per second of a batch of
 * {@code batch} block4 channels, against the floor — one forward plus one backward pass of the same batch to
 * the input (what each iteration cannot avoid). Medians of {@code runs} interleaved rounds, wall clock and
 * process CPU time (the latter not blurred by other processes on a shared machine), for the default
 * regularisers and for none (plain pixels, no warp).
 *
 * <p>Usage: {@code .ci/bench MaximizeBenchmark [runs=10] [batch=16] [steps=4]}.
 */
public final class MaximizeBenchmark {

    private MaximizeBenchmark() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        System.out.printf(Locale.ROOT, "machine: %d cores, java %s; batch %d, %d steps per round%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), batch, steps);
        try (ExplainableModel model = ModelLoader.load(Path.of("test-images/models/demo.onnx"), "cpu")) {
            List<Unit> units = new ArrayList<>();
            for (int k = 0; k < batch; k++) {
                units.add(Unit.channel("block4", k % 64));
            }
            String tap = model.resolveLayer("block4").output();
            float[] noise = new float[batch * 128 * 128];
            SplittableRandom r = new SplittableRandom(0);
            for (int i = 0; i < noise.length; i++) {
                noise[i] = (float) r.nextDouble();
            }
            Settings regularised = new Settings(steps, 0.05, 0, Range.of(0, 1), Regularisers.DEFAULT);
            Settings plain = new Settings(steps, 0.05, 0, Range.of(0, 1), Regularisers.NONE);
            String[] names = {"forward+backward (floor)", "maximise, default regularisers", "maximise, none"};
            long[][] wall = new long[3][runs];
            long[][] cpu = new long[3][runs];
            for (int round = -2; round < runs; round++) {   // 2 warm-up rounds
                for (int m = 0; m < 3; m++) {
                    long w0 = System.nanoTime();
                    long c0 = cpuTime();
                    if (m == 0) {
                        for (int s = 0; s < steps; s++) {
                            floor(model, noise, batch, tap);
                        }
                    } else {
                        ActivationMaximisation.run(model, units, m == 1 ? regularised : plain, null);
                    }
                    if (round >= 0) {
                        wall[m][round] = (System.nanoTime() - w0) / steps;
                        cpu[m][round] = (cpuTime() - c0) / steps;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%-32s %12s %10s %12s %10s %8s%n", "per iteration of the batch",
                    "wall ms", "x floor", "cpu ms", "x floor", "it/s");
            for (int m = 0; m < 3; m++) {
                System.out.printf(Locale.ROOT, "%-32s %12.1f %10.2f %12.1f %10.2f %8.2f%n", names[m],
                        median(wall[m]) / 1e6, median(wall[m]) / median(wall[0]), median(cpu[m]) / 1e6,
                        median(cpu[m]) / median(cpu[0]), 1e9 / median(wall[m]));
            }
            System.out.println("(a maximise round also makes its start and its final evaluation: one forward more)");
        }
    }

    /** One forward pass of the batch to the layer and one backward pass of its sum to the input. */
    private static void floor(ExplainableModel model, float[] noise, int batch, String tap) {
        try (NDManager run = model.newRun()) {
            NDArray x = Tensors.of(run, noise, new Shape(batch, 1, 128, 128));
            synchronized (LayerGradients.AUTOGRAD_LOCK) {
                try (GradientCollector c = DeviceChoice.engine().newGradientCollector()) {
                    x.setRequiresGradient(true);
                    NDArray a = model.run(run, x, List.of(tap), null).get(tap);
                    c.backward(a.sum());
                    x.getGradient().toFloatArray();
                }
            }
        }
    }

    private static long cpuTime() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
