package org.cnnexplain.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import org.cnnexplain.explain.CamVariants;
import org.cnnexplain.explain.LayerChoice;
import org.cnnexplain.explain.LayerGradients;
import org.cnnexplain.explain.ReferenceScoreCam;
import org.cnnexplain.explain.Target;
import org.cnnexplain.graph.ExecutorProfile;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;
import org.cnnexplain.model.ModelLoader;

/**
 * Medians of any model, layer, batch sizes and device, as ratios to our own floor (one forward + one
 * backward pass to the layer), optionally beside PyTorch eager on the same architecture.
 *
 * <pre>
 * .ci/bench SpeedBenchmark --model target/bench-models/resnet18.onnx --layer layer4 --batch 1,16 \
 *     --methods forward,floor,gradcam --runs 5 --pytorch resnet18
 * </pre>
 * Methods: {@code forward}, {@code floor}, any Grad-CAM variant ({@code gradcam}, {@code eigencam},
 * {@code scorecam}, ...) and {@code scorecam-ref} (Score-CAM as it was before the exact savings, kept in the
 * tests as the reference); {@code scorecam:8} sets Score-CAM's masked inputs per pass (default 0, chosen from the input size,
 * {@code --scorebatch}). Runs alternate: each round runs every method once, after one warm-up round.
 * {@code --pytorch ARCH} then runs {@code src/test/python/bench_pytorch.py time} with Debian's torch
 * ({@code /usr/bin/python3}) once with and once without {@code DNNL_MAX_CPU_ISA=SSE41} (our engine caps
 * oneDNN at SSE4.1, see {@code OneDnnIsa}) and prints its medians and our ratios to them.
 * The input is random (seeded) with the model's input shape, or {@code --input x.npy} (its first sample); {@code --size N} sets a dynamic one.
 * {@code --nodes N} adds, per batch, where one forward pass spends its time: per op type and the N most
 * expensive nodes (e.g. {@code --batch 1,20 --nodes 5}: Score-CAM's masked inputs go through the model as
 * such a batch).
 * Besides wall-clock medians it prints medians of the calling thread's CPU time per call, which a shared,
 * loaded machine disturbs far less; with {@code OMP_NUM_THREADS=1} libtorch computes on that thread, so it is
 * then the whole cost (with more threads their work is not counted: read the wall-clock columns).
 */
public final class SpeedBenchmark {

    private SpeedBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new LinkedHashMap<>(Map.of("layer", "auto", "batch", "1", "device", "cpu",
                "methods", "forward,floor,gradcam", "runs", "5", "scorebatch", "0"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int runs = Integer.parseInt(opt.get("runs"));
        List<String> methods = List.of(opt.get("methods").split(","));
        System.out.printf(Locale.ROOT, "machine: %d cores, java %s, oneDNN ISA %s, medians of %d alternating runs%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("cnnexplain.onednn.isa", "SSE41 (default cap)"), runs);
        Map<String, Double> ours = new LinkedHashMap<>();
        try (ExplainableModel model = ModelLoader.load(Path.of(opt.get("model")), opt.get("device"))) {
            System.out.println("model " + opt.get("model") + " ran on " + model.device() + " (asked: " + opt.get("device")
                    + "; DJL finds " + ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount() + " GPU)");
            Layer layer = LayerChoice.resolve(model, opt.get("layer"));
            long[] shape = model.inputShape();
            if (opt.containsKey("size")) {
                shape[shape.length - 1] = shape[shape.length - 2] = Long.parseLong(opt.get("size"));
            }
            System.out.println("layer " + layer.name() + " " + Arrays.toString(layer.shape()));
            Target t = Target.top1();
            int scoreBatch = Integer.parseInt(opt.get("scorebatch"));
            for (String b : opt.get("batch").split(",")) {
                shape[0] = Integer.parseInt(b);
                Map<String, BiConsumer<NDManager, NDArray>> fns = new LinkedHashMap<>();
                for (String m : methods) {
                    // "scorecam:8" = Score-CAM with 8 masked inputs per pass
                    int perPass = m.contains(":") ? Integer.parseInt(m.substring(m.indexOf(':') + 1)) : scoreBatch;
                    String method = m.replaceFirst(":.*", "");
                    fns.put(m, switch (method) {
                        case "forward" -> (run, x) -> model.forward(run, x, List.of());
                        case "floor" -> (run, x) -> LayerGradients.compute(model, run, x, layer, t);
                        // the reference at 16 per pass (as Score-CAM ran before its savings) unless told
                        case "scorecam-ref" -> (run, x) -> (perPass > 0 ? new ReferenceScoreCam(perPass)
                                : new ReferenceScoreCam()).explain(model, run, x, layer, t);
                        default -> (run, x) -> CamVariants.byName(method, perPass).explain(model, run, x, layer, t);
                    });
                }
                Map<String, long[]> cpu = new LinkedHashMap<>();
                float[] data = input(opt.get("input"), shape);
                Map<String, long[]> times = time(model, shape, data, fns, runs, cpu);
                if (Boolean.parseBoolean(opt.getOrDefault("profile", "false"))) {
                    profile(model, shape, data, fns, runs, b);
                }
                double floor = times.containsKey("floor") ? median(times.get("floor")) : Double.NaN;
                double cpuFloor = cpu.containsKey("floor") ? median(cpu.get("floor")) : Double.NaN;
                System.out.printf(Locale.ROOT, "batch %s%n  %-16s %10s %10s %8s %10s %8s%n", b, "method", "median ms",
                        "ms/image", "x floor", "thread cpu", "x floor");
                for (var e : times.entrySet()) {
                    double ms = median(e.getValue()) / 1e6;
                    double cpuMs = median(cpu.get(e.getKey())) / 1e6;
                    ours.put(b + "/" + e.getKey(), ms);
                    ours.put(b + "/" + e.getKey() + "/cpu", cpuMs);
                    System.out.printf(Locale.ROOT, "  %-16s %10.1f %10.2f %8.2f %10.1f %8.2f%n", e.getKey(), ms,
                            ms / shape[0], median(e.getValue()) / floor, cpuMs, median(cpu.get(e.getKey())) / cpuFloor);
                }
                if (opt.containsKey("nodes")) {
                    nodes(model, shape, data, Integer.parseInt(opt.get("nodes")), runs);
                }
            }
        }
        if (opt.containsKey("pytorch")) {
            comparePyTorch(opt, ours);
        }
    }

    /** Random (seeded) data of {@code shape}, or the first sample of an .npy file repeated to fill the batch. */
    private static float[] input(String npy, long[] shape) {
        float[] data = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        if (npy != null) {
            float[] file = org.cnnexplain.testutil.Npy.read(Path.of(npy)).data();
            int per = data.length / (int) shape[0];
            for (int i = 0; i < shape[0]; i++) {
                System.arraycopy(file, 0, data, i * per, per);
            }
            return data;
        }
        Random random = new Random(0);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return data;
    }

    private static Map<String, long[]> time(ExplainableModel model, long[] shape, float[] data, Map<String,
            BiConsumer<NDManager, NDArray>> fns, int runs, Map<String, long[]> cpu) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, long[]> times = new LinkedHashMap<>();
        fns.keySet().forEach(k -> times.put(k, new long[runs]));
        fns.keySet().forEach(k -> cpu.put(k, new long[runs]));
        for (int round = -1; round < runs; round++) {
            for (var e : fns.entrySet()) {
                try (NDManager run = model.newRun()) {
                    NDArray x = Tensors.of(run, data, new Shape(shape));
                    long c0 = threads.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    e.getValue().accept(run, x);
                    long dt = System.nanoTime() - t0;
                    long dc = threads.getCurrentThreadCpuTime() - c0;
                    if (round >= 0) {
                        times.get(e.getKey())[round] = dt;
                        cpu.get(e.getKey())[round] = dc;
                    }
                }
            }
        }
        return times;
    }

    /**
     * Where a forward pass of {@code shape} spends its thread CPU time: per op type and the most expensive
     * nodes, measured between consecutive node outputs through the executor's hook (median pass of
     * {@code runs}). With {@code OMP_NUM_THREADS=1} this is the whole cost; the time between the last
     * node and the end of the pass (returning the outputs, freeing the run) is not counted.
     */
    private static void nodes(ExplainableModel model, long[] shape, float[] data, int top, int runs) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, String> nodeOf = new java.util.HashMap<>();
        Map<String, String> opOf = new java.util.HashMap<>();
        model.requireGraph("--nodes").nodes().forEach(n -> n.outputs().forEach(o -> {
            nodeOf.put(o, n.name());
            opOf.put(o, n.opType());
        }));
        List<Map<String, Long>> passes = new ArrayList<>();
        for (int round = -1; round < runs; round++) {
            Map<String, Long> perNode = new LinkedHashMap<>();
            try (NDManager run = model.newRun()) {
                NDArray x = Tensors.of(run, data, new Shape(shape));
                long[] last = {threads.getCurrentThreadCpuTime()};
                model.run(run, x, List.of(model.outputName()), (name, v) -> {
                    if (nodeOf.containsKey(name)) {
                        long now = threads.getCurrentThreadCpuTime();
                        perNode.merge(opOf.get(name) + " " + nodeOf.get(name), now - last[0], Long::sum);
                        last[0] = threads.getCurrentThreadCpuTime();
                    }
                    return v;
                });
            }
            if (round >= 0) {
                passes.add(perNode);
            }
        }
        Map<String, Double> node = new LinkedHashMap<>();
        passes.get(0).keySet().forEach(k -> node.put(k,
                median(passes.stream().mapToLong(p -> p.getOrDefault(k, 0L)).toArray()) / 1e6));
        Map<String, double[]> byOp = new java.util.TreeMap<>();
        node.forEach((k, ms) -> {
            double[] v = byOp.computeIfAbsent(k.substring(0, k.indexOf(' ')), o -> new double[2]);
            v[0] += ms;
            v[1]++;
        });
        double total = node.values().stream().mapToDouble(Double::doubleValue).sum();
        System.out.printf(Locale.ROOT, "  profile of one forward pass at %s (thread cpu, median of %d): %.2f ms in nodes%n",
                Arrays.toString(shape), runs, total);
        byOp.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0])).forEach(e ->
                System.out.printf(Locale.ROOT, "    %-22s %8.3f ms %5.1f%%  (%d nodes)%n", e.getKey(), e.getValue()[0],
                        100 * e.getValue()[0] / total, (int) e.getValue()[1]));
        node.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(top).forEach(e ->
                System.out.printf(Locale.ROOT, "    node %-40s %8.3f ms%n", e.getKey(), e.getValue()));
    }

    /**
     * One more round per method with {@link ExecutorProfile} on: CPU time per op type, the executor's own
     * time, the copies between Java and tensors, and what the method spends outside the executor (the
     * backward pass, the target, the map), per call.
     */
    private static void profile(ExplainableModel model, long[] shape, float[] data,
                                Map<String, BiConsumer<NDManager, NDArray>> fns, int runs, String batch) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        ExecutorProfile.setEnabled(true);
        try {
            for (var e : fns.entrySet()) {
                ExecutorProfile.reset();
                long cpu = 0;
                for (int r = 0; r < runs; r++) {
                    try (NDManager run = model.newRun()) {
                        NDArray x = Tensors.of(run, data, new Shape(shape));
                        long c0 = threads.getCurrentThreadCpuTime();
                        e.getValue().accept(run, x);
                        cpu += threads.getCurrentThreadCpuTime() - c0;
                    }
                }
                ExecutorProfile.Totals t = ExecutorProfile.totals();
                long inExecutor = t.buckets().values().stream().mapToLong(ExecutorProfile.Bucket::cpuNanos).sum();
                System.out.printf(Locale.ROOT, "profile batch %s %s: %.1f ms per call, %.1f executor runs per call, ops"
                        + " %.1f ms, outside the executor (backward, target, map) %.1f ms%n", batch, e.getKey(),
                        cpu / 1e6 / runs, (double) t.runs() / runs, t.opNanos() / 1e6 / runs,
                        (cpu - inExecutor) / 1e6 / runs);
                System.out.print(t.table(runs));
            }
        } finally {
            ExecutorProfile.setEnabled(false);
        }
    }

    /** PyTorch eager, capped and uncapped, and our ratios to it (same case names: forward, floor, gradcam). */
    private static void comparePyTorch(Map<String, String> opt, Map<String, Double> ours) throws Exception {
        for (String isa : new String[] {"SSE41", "ALL"}) {
            List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "src/test/python/bench_pytorch.py", "time",
                    "--arch", opt.get("pytorch"), "--batch", opt.get("batch"), "--runs", opt.get("runs")));
            if (!opt.get("layer").equals("auto")) {
                cmd.addAll(List.of("--layer", opt.get("layer")));
            }
            if (opt.containsKey("size")) {
                cmd.addAll(List.of("--size", opt.get("size")));
            }
            if (opt.get("device").equals("cpu")) {
                cmd.addAll(List.of("--device", "cpu"));
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
            // always an explicit environment: left alone, the child inherits this process's native one, where
            // our engine has set DNNL_MAX_CPU_ISA=SSE41 (so "ALL" used to time a capped PyTorch)
            pb.environment().remove("DNNL_MAX_CPU_ISA");
            if (!isa.equals("ALL")) {
                pb.environment().put("DNNL_MAX_CPU_ISA", isa);
            }
            Process p = pb.start();
            System.out.printf(Locale.ROOT, "PyTorch eager (%s), DNNL_MAX_CPU_ISA=%s, device %s%n", opt.get("pytorch"), isa,
                    opt.get("device").equals("cpu") ? "cpu" : "cuda when torch finds one (see each line)");
            System.out.printf(Locale.ROOT, "  %-6s %-10s %10s %10s %10s %11s %11s %10s%n", "batch", "case", "torch ms",
                    "ours ms", "ours/torch", "torch cpu", "ours cpu", "ours/torch");
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                    double torch = median(o, "ms");
                    double torchCpu = median(o, "cpu_ms");
                    String key = o.get("batch").getAsInt() + "/" + o.get("case").getAsString();
                    System.out.printf(Locale.ROOT, "  %-6d %-10s %10.1f %10s %10s %11.1f %11s %10s  on %s%n",
                            o.get("batch").getAsInt(), o.get("case").getAsString(), torch, fmt(ours.get(key), 1),
                            fmt(ratio(ours.get(key), torch), 2), torchCpu, fmt(ours.get(key + "/cpu"), 1),
                            fmt(ratio(ours.get(key + "/cpu"), torchCpu), 2),
                            o.has("device") ? o.get("device").getAsString() : "cpu");
                }
            }
            if (p.waitFor() != 0) {
                System.out.println("  bench_pytorch.py failed (exit " + p.exitValue() + ")");
            }
        }
    }

    private static double median(JsonObject o, String field) {
        double[] v = o.getAsJsonArray(field).asList().stream().mapToDouble(e -> e.getAsDouble()).toArray();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static Double ratio(Double ours, double torch) {
        return ours == null ? null : ours / torch;
    }

    private static String fmt(Double v, int digits) {
        return v == null ? "-" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
