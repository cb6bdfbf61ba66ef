package org.cnnexplain.bench;

import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ImageProcessor;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.cnnexplain.spark.SparkExplain;

/**
 * Throughput of the Spark job on one machine: {@code local[1]} against {@code local[2]} over the same
 * generated images (demo cells with seeded noise, so no two are alike). Each master runs in its own JVM
 * (with spark-submit's JVM flags), first a warm-up job (model load, JIT), then the timed one; it reports
 * images/s, the scaling ratio and the JVM's peak memory — in local mode the one executor is the driver's
 * JVM, so its resident high-water mark (VmHWM: heap, libtorch and Spark together) is the executor's peak.
 *
 * <p>Usage: {@code .ci/bench SparkBenchmark [images=5000] [command=gradcam] [partition-size=50]}.
 */
public final class SparkBenchmark {

    private SparkBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--child")) {
            child(args[1], Path.of(args[2]), args[3], args[4], Integer.parseInt(args[5]));
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        String command = args.length > 1 ? args[1] : "gradcam";
        String partitionSize = args.length > 2 ? args[2] : "50";
        System.out.printf(Locale.ROOT, "machine: %d cores, java %s; %d images, %s, %s images per task%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), n, command,
                partitionSize);
        Path dir = Files.createTempDirectory("spark-bench");
        Path images = generate(dir.resolve("in"), n);
        double[] rate = new double[2];
        String[] masters = {"local[1]", "local[2]"};
        for (int m = 0; m < 2; m++) {
            String line = runChild(masters[m], images, dir.resolve("out" + m).toString(), command, partitionSize);
            System.out.println(masters[m] + ": " + line);
            rate[m] = Double.parseDouble(line.replaceAll(".* ([0-9.]+) images/s.*", "$1"));
        }
        System.out.printf(Locale.ROOT, "scaling local[2] / local[1]: %.2f (2.00 would be perfect)%n", rate[1] / rate[0]);
        delete(dir);
    }

    /** {@code n} TIFFs: the demo images in turn, each with its own seeded Gaussian noise (sd 2 grey levels). */
    static Path generate(Path dir, int n) throws Exception {
        Files.createDirectories(dir);
        List<Path> demo;
        try (Stream<Path> s = Files.list(Path.of("test-images/demo"))) {
            demo = s.filter(p -> p.toString().endsWith(".tif")).sorted().toList();
        }
        Random random = new Random(42);
        for (int i = 0; i < n; i++) {
            ImagePlus imp = IJ.openImage(demo.get(i % demo.size()).toString());
            ImageProcessor ip = imp.getProcessor();
            for (int p = 0; p < ip.getPixelCount(); p++) {
                ip.setf(p, (float) Math.max(0, ip.getf(p) + 2 * random.nextGaussian()));
            }
            new FileSaver(imp).saveAsTiff(dir.resolve(String.format(Locale.ROOT, "img_%05d.tif", i)).toString());
        }
        return dir;
    }

    private static String runChild(String master, Path images, String out, String command, String partitionSize)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dai.djl.offline=true", "-Djava.awt.headless=true",
                "-Dslf4j.provider=org.slf4j.simple.SimpleServiceProvider",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        cmd.addAll(List.of(sparkJavaOptions().split(" ")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SparkBenchmark.class.getName(), "--child",
                master, images.toString(), out, command, partitionSize));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String result = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("RESULT ")) {
                    result = line.substring(7);
                } else if (line.startsWith("cnn-explain") || line.contains("Exception")) {
                    System.out.println("  " + line);
                }
            }
        }
        if (p.waitFor() != 0 || result == null) {
            throw new IllegalStateException(master + " failed (exit " + p.exitValue() + ")");
        }
        return result;
    }

    /** The flags spark-submit adds on Java 17, as the pom lists them for the tests. */
    private static String sparkJavaOptions() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        return pom.replaceAll("(?s).*<spark.java.options>(.*?)</spark.java.options>.*", "$1").trim();
    }

    private static void child(String master, Path images, String out, String command, int partitionSize)
            throws Exception {
        SparkSession spark = SparkSession.builder().master(master).appName("SparkBenchmark")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        List<Path> all;
        try (Stream<Path> s = Files.list(images)) {
            all = s.sorted().toList();
        }
        // warm-up: the model is loaded and the code compiled on every task thread before the timing starts
        Path list = Files.createTempFile("warmup", ".txt");
        int threads = master.equals("local[1]") ? 1 : 2;
        Files.write(list, all.subList(0, Math.min(all.size(), 8 * threads)).stream().map(Path::toString).toList());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        SparkExplain.run(spark, List.of(command, "--model", "test-images/models/demo.onnx", "--input", list.toString(),
                "--output", out + "-warmup", "--partition-size", "4", "--quiet"), quiet);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        long cpu = os.getProcessCpuTime();
        long t = System.nanoTime();
        SparkExplain.Summary s = SparkExplain.run(spark, List.of(command, "--model", "test-images/models/demo.onnx",
                "--input", images.toString(), "--output", out, "--partition-size", Integer.toString(partitionSize),
                "--quiet"), quiet);
        double seconds = (System.nanoTime() - t) / 1e9;
        double cpuSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
        String loadAfter = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPeak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf(Locale.ROOT, "RESULT %d images (%d failed) in %.1f s: %.2f images/s; %.1f CPU s"
                        + " (%.0f ms CPU per image, %.2f cores busy); peak RSS %.0f MB (heap peak %.0f MB);"
                        + " machine load %s -> %s%n", s.images(), s.failed(), seconds, s.images() / seconds, cpuSeconds,
                1000 * cpuSeconds / s.images(), cpuSeconds / seconds, hwmKb() / 1024.0, heapPeak / 1048576.0,
                loadBefore, loadAfter);
        spark.stop();
    }

    private static long hwmKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static void delete(Path dir) throws Exception {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
