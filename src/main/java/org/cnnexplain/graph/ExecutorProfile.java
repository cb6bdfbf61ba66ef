package org.cnnexplain.graph;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * An opt-in profile of the executor: thread CPU time and count per op type, the executor's own time
 * between ops, the copies between Java and tensors, and node outputs that record autograd history.
 *
 * <pre>{@code
 * ExecutorProfile.setEnabled(true);
 * ExecutorProfile.reset();
 * model.forward(run, x, List.of());
 * ExecutorProfile.Totals t = ExecutorProfile.totals();
 * t.buckets().get("Conv").cpuNanos();      // CPU time of this thread inside the Conv ops
 * t.copies();                               // e.g. {"Tensors.of float32 (outside the executor)": 1}
 * }</pre>
 *
 * <p>Buckets: one per op type (the op's Java code and the libtorch calls it makes); {@value #BOOKKEEPING}
 * (looking up inputs, storing outputs, the hook: the executor between ops); {@value #RELEASE} (closing
 * tensors nobody reads any more, which frees their memory in libtorch); {@value #PROFILER} (this class's
 * own clock reads and checks, kept out of the others). CPU time is the calling thread's: with
 * {@code OMP_NUM_THREADS=1} libtorch computes on that thread, so it is the whole cost, and a loaded
 * machine disturbs it far less than the wall clock.
 *
 * <p>Copies: every {@link Tensors#of} (Java → tensor; on a GPU, host → device) and every read of
 * tensor data into Java by the ops ({@link Tensors#longsOf}, {@link Tensors#floatsOf}; on a GPU, device
 * → host), by element type and by the op that made it ("(outside the executor)" for the caller's own).
 *
 * <p>Off by default; {@code -Dcnnexplain.profile=true} or {@link #setEnabled} turns it on. Off, the
 * executor pays one volatile read per run and every copy one more.
 */
public final class ExecutorProfile {

    public static final String BOOKKEEPING = "(executor bookkeeping)";
    public static final String RELEASE = "(executor release)";
    public static final String PROFILER = "(profiler)";
    public static final String OUTSIDE = "(outside the executor)";
    /** A count, no time: BatchNormalization nodes a run folded into their Conv ({@code BatchNormFolding}). */
    public static final String FOLDED_BATCH_NORM = "(BatchNormalization folded into Conv)";
    /** A count, no time: Relu nodes that overwrote their input ({@code InPlaceRelu}). */
    public static final String RELU_IN_PLACE = "(Relu in place)";

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final ThreadLocal<Run> CURRENT = new ThreadLocal<>();
    private static volatile boolean enabled = Boolean.getBoolean("cnnexplain.profile");

    private static final Map<String, long[]> BUCKETS = new TreeMap<>();
    private static final Map<String, Long> COPIES = new TreeMap<>();
    private static long runs;
    private static long recordingOutputs;

    private ExecutorProfile() {
    }

    public static boolean enabled() {
        return enabled;
    }

    public static void setEnabled(boolean on) {
        enabled = on;
    }

    /** Forgets everything counted so far. */
    public static synchronized void reset() {
        BUCKETS.clear();
        COPIES.clear();
        runs = 0;
        recordingOutputs = 0;
    }

    /** What one bucket holds: how often it was entered and the CPU time spent in it. */
    public record Bucket(long count, long cpuNanos) {
    }

    /**
     * Everything counted since the last {@link #reset}.
     *
     * @param runs             executor runs
     * @param buckets          op types and the executor's own buckets
     * @param copies           "Tensors.of float32 (in Conv)" → how many
     * @param recordingOutputs node outputs that required a gradient (autograd recorded the op)
     */
    public record Totals(long runs, Map<String, Bucket> buckets, Map<String, Long> copies, long recordingOutputs) {

        /** CPU time of the buckets whose name starts with {@code prefix} ("Conv" for every kind of convolution). */
        public long nanos(String prefix) {
            return buckets.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToLong(e -> e.getValue().cpuNanos()).sum();
        }

        /** CPU time of all ops together (without the executor's own buckets and the profiler). */
        public long opNanos() {
            return buckets.entrySet().stream().filter(e -> !e.getKey().startsWith("("))
                    .mapToLong(e -> e.getValue().cpuNanos()).sum();
        }

        /** Copies whose description contains {@code part}, e.g. "float32" or "Tensors.of". */
        public long copies(String part) {
            return copies.entrySet().stream().filter(e -> e.getKey().contains(part)).mapToLong(Map.Entry::getValue).sum();
        }

        /** A table per call of whatever made {@code calls} calls: op type, op calls, CPU ms, share. */
        public String table(long calls) {
            StringBuilder s = new StringBuilder();
            long total = buckets.values().stream().mapToLong(Bucket::cpuNanos).sum();
            double per = Math.max(1, calls);
            s.append(String.format(Locale.ROOT, "    %-26s %8s %10s %7s%n", "op (per call)", "calls", "cpu ms", "share"));
            buckets.entrySet().stream()
                    .sorted((a, b) -> Long.compare(b.getValue().cpuNanos(), a.getValue().cpuNanos()))
                    .forEach(e -> s.append(String.format(Locale.ROOT, "    %-26s %8.1f %10.2f %6.1f%%%n", e.getKey(),
                            e.getValue().count() / per, e.getValue().cpuNanos() / per / 1e6,
                            100.0 * e.getValue().cpuNanos() / Math.max(1, total))));
            s.append(String.format(Locale.ROOT, "    copies per call:"));
            copies.forEach((k, v) -> s.append(String.format(Locale.ROOT, " %s %.1f;", k, v / per)));
            s.append(String.format(Locale.ROOT, "%n    node outputs recording autograd per call: %.1f%n",
                    recordingOutputs / per));
            return s.toString();
        }
    }

    public static synchronized Totals totals() {
        Map<String, Bucket> b = new TreeMap<>();
        BUCKETS.forEach((k, v) -> b.put(k, new Bucket(v[0], v[1])));
        return new Totals(runs, b, new TreeMap<>(COPIES), recordingOutputs);
    }

    /** The bucket of a node: its op type; a Conv also by kind ("Conv (depthwise)", "Conv (1x1)", "Conv (3x3)"). */
    static String bucketOf(Node node) {
        if (!node.opType().equals("Conv")) {
            return node.opType();
        }
        long[] k = node.attributes().getInts("kernel_shape");
        String size = k == null ? "" : java.util.Arrays.stream(k).mapToObj(Long::toString)
                .collect(java.util.stream.Collectors.joining("x"));
        return node.attributes().getInt("group", 1) > 1 ? "Conv (grouped " + size + ")" : "Conv (" + size + ")";
    }

    /** Called by the executor at the start of a run: the run's clock, or null when profiling is off. */
    static Run start() {
        if (!enabled) {
            return null;
        }
        Run r = new Run(CURRENT.get());
        CURRENT.set(r);
        return r;
    }

    /** A Java → tensor copy of {@code count} elements of {@code type} (see {@link Tensors#of}). */
    static void toTensor(DataType type) {
        if (enabled) {
            copy("Tensors.of " + type.name().toLowerCase(Locale.ROOT));
        }
    }

    /** A tensor → Java copy of {@code tensor}'s data. */
    static void toJava(NDArray tensor) {
        if (enabled) {
            copy("to Java " + tensor.getDataType().name().toLowerCase(Locale.ROOT));
        }
    }

    private static void copy(String what) {
        Run r = CURRENT.get();
        String key = what + " " + (r == null || r.op == null ? OUTSIDE : "(in " + r.op + ")");
        synchronized (ExecutorProfile.class) {
            COPIES.merge(key, 1L, Long::sum);
        }
    }

    /** One run's clock: {@link #lap} charges the CPU time since the previous lap to a bucket. */
    static final class Run {

        private final Run outer;
        private final Map<String, long[]> local = new java.util.HashMap<>();
        private long mark = THREADS.getCurrentThreadCpuTime();
        private String op;
        private long recording;

        private Run(Run outer) {
            this.outer = outer;
        }

        /** Marks that {@code opType}'s op runs now (copies made until {@link #lap} are charged to it). */
        void enter(String opType) {
            lap(BOOKKEEPING);
            op = opType;
        }

        /** Charges the time since the last lap to {@code bucket}. */
        void lap(String bucket) {
            long now = THREADS.getCurrentThreadCpuTime();
            long[] v = local.computeIfAbsent(bucket, k -> new long[2]);
            v[0]++;
            v[1] += now - mark;
            mark = now;
            op = null;
        }

        /** Counts an event in {@code bucket} without charging time to it. */
        void count(String bucket) {
            local.computeIfAbsent(bucket, k -> new long[2])[0]++;
        }

        /** After an op: counts outputs that record autograd history (this check is the profiler's own time). */
        void recorded(java.util.List<NDArray> outputs) {
            for (NDArray o : outputs) {
                if (o != null && AutogradHistory.records(o)) {
                    recording++;
                }
            }
            lap(PROFILER);
        }

        void finish() {
            lap(BOOKKEEPING);
            CURRENT.set(outer);
            synchronized (ExecutorProfile.class) {
                runs++;
                recordingOutputs += recording;
                local.forEach((k, v) -> {
                    long[] t = BUCKETS.computeIfAbsent(k, x -> new long[2]);
                    t[0] += k.equals(BOOKKEEPING) || k.equals(PROFILER) ? 0 : v[0];
                    t[1] += v[1];
                });
            }
        }
    }
}
