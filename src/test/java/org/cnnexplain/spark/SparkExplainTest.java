package org.cnnexplain.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.io.FileSaver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.cnnexplain.cli.Main;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark job on {@code local[2,2]} (two task threads; a failed task is tried twice, as
 * {@code spark.task.maxFailures=2} does on a cluster — local masters take the count from the URL), against
 * the plain CLI run over the same images: the same files, the same maps and predictions.
 */
class SparkExplainTest {

    private static SparkSession spark;
    private static final AtomicInteger FAILED_TASKS = new AtomicInteger();

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2,2]").appName("SparkExplainTest")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.task.maxFailures", "2")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.reason() instanceof ExceptionFailure) {
                    FAILED_TASKS.incrementAndGet();
                }
            }
        });
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /**
     * Every demo image, plus a 3-plane stack and an empty (broken) file: the CLI's gradcam and the Spark job's
     * write the same files with the same pixels, the table has one row per image and plane, the broken file is
     * a row with its error, and the predictions are the CLI's.
     */
    @Test
    void sameFilesMapsAndPredictionsAsTheCli(@TempDir Path tmp) throws Exception {
        Path input = Files.createDirectories(tmp.resolve("in"));
        try (Stream<Path> demo = Files.list(TestModels.DEMO_IMAGES)) {
            for (Path f : demo.filter(p -> p.toString().endsWith(".tif")).toList()) {
                Files.copy(f, input.resolve(f.getFileName()));
            }
        }
        ImageStack stack = null;
        for (int i = 0; i < 3; i++) {
            ImagePlus plane = IJ.openImage(TestModels.DEMO_IMAGES.resolve("cell_00" + (i + 4) + ".tif").toString());
            stack = stack == null ? new ImageStack(plane.getWidth(), plane.getHeight()) : stack;
            stack.addSlice(plane.getProcessor());
        }
        new FileSaver(new ImagePlus("stack", stack)).saveAsTiffStack(input.resolve("stack3.tif").toString());
        Files.createFile(input.resolve("broken.tif"));
        int images = (int) Files.list(input).count();

        Path cli = tmp.resolve("cli");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"gradcam", "--model", TestModels.DEMO_MODEL.toString(), "--input",
                input.toString(), "--output", cli.toString(), "--quiet"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err));
        assertEquals(1, code, "the CLI skips the broken file: " + err);

        Path out = tmp.resolve("spark");
        SparkExplain.Summary s = SparkExplain.run(spark, List.of("gradcam", "--model", TestModels.DEMO_MODEL.toString(),
                "--input", input.toString(), "--output", out.toString(), "--partition-size", "8", "--csv", "--quiet"),
                new PrintStream(new ByteArrayOutputStream()));
        assertEquals(List.of(images, images - 1L, 0L, 1L), List.of(s.images(), s.explained(), s.resumed(), s.failed()));
        assertTrue(s.table().matches("file:/.*/spark/predictions.parquet/?"), s.table());

        TreeSet<String> cliFiles = names(cli);
        cliFiles.remove("predictions.csv");
        TreeSet<String> sparkFiles = names(out);
        sparkFiles.removeAll(List.of("predictions.csv", "predictions.parquet", "_cnnexplain"));
        assertEquals(cliFiles, sparkFiles);
        assertEquals(3 * (images - 1), sparkFiles.size());
        for (String f : cliFiles) {
            assertSamePixels(cli.resolve(f), out.resolve(f));
        }

        List<Row> rows = spark.read().parquet(s.table()).orderBy("name", "slice").collectAsList();
        assertEquals(images - 1 + 2 + 1, rows.size(), "one row per image and plane: the stack has 3, the broken file 1");
        Map<String, String[]> cliCsv = csv(cli.resolve("predictions.csv"));
        int checked = 0;
        for (Row r : rows) {
            String name = r.getAs("name");
            if (name.equals("broken.tif")) {
                assertTrue(r.getAs("error").toString().contains("empty"), r.toString());
                assertTrue(r.isNullAt(r.fieldIndex("slice")));
                continue;
            }
            String[] expected = cliCsv.get(name + "#" + r.getAs("slice"));
            assertEquals(expected[3], r.getAs("predicted_class"));
            assertEquals(Integer.parseInt(expected[2]), (int) r.getAs("predicted_index"));
            List<Float> p = r.getList(r.fieldIndex("probabilities"));
            for (int k = 0; k < p.size(); k++) {
                assertEquals(Double.parseDouble(expected[5 + k]), p.get(k), 1e-6, name + " class " + k);
            }
            assertEquals(Double.parseDouble(expected[4]), r.getDouble(r.fieldIndex("probability")), 1e-6);
            List<String> outputs = r.getList(r.fieldIndex("outputs"));
            assertEquals(3, outputs.size());
            assertTrue(outputs.get(0).endsWith(name.replace(".tif", "_gradcam.tif")), outputs.toString());
            assertTrue(r.isNullAt(r.fieldIndex("error")));
            checked++;
        }
        assertEquals(images - 1 + 2, checked);
        Map<String, String[]> sparkCsv = csv(out.resolve("predictions.csv"));
        assertEquals(rows.size(), sparkCsv.size());
        for (Map.Entry<String, String[]> e : cliCsv.entrySet()) {
            String[] mine = sparkCsv.get(e.getKey());
            for (int c = 2; c < e.getValue().length; c++) {
                assertEquals(e.getValue()[c], mine[c], "CSV column " + c + " of " + e.getKey());
            }
        }
    }

    /**
     * The task that explains cell_003 dies once, after publishing its first file and halfway through the
     * second: the retry completes the output (the files of every image, once each, equal to a clean run's),
     * nothing temporary is left; a second run with --resume explains nothing and touches no file.
     */
    @Test
    void aTaskThatFailsOnceLeavesCompleteOutputAndResumeRedoesNothing(@TempDir Path tmp) throws Exception {
        Path input = Files.createDirectories(tmp.resolve("in"));
        for (int i = 0; i < 8; i++) {
            String n = String.format("cell_%03d.tif", i * 7);
            Files.copy(TestModels.DEMO_IMAGES.resolve(n), input.resolve(n));
        }
        List<String> args = List.of("cam", "--model", TestModels.DEMO_MODEL.toString(), "--input", input.toString(),
                "--output", tmp.resolve("out").toString(), "--partition-size", "3", "--quiet");
        int failedBefore = FAILED_TASKS.get();
        spark.conf().set(SparkExplain.FAIL_ONCE, "cell_014.tif");
        SparkExplain.Summary first;
        try {
            first = SparkExplain.run(spark, args, new PrintStream(new ByteArrayOutputStream()));
        } finally {
            spark.conf().unset(SparkExplain.FAIL_ONCE);
        }
        assertEquals(1, FAILED_TASKS.get() - failedBefore, "the hook failed exactly one task attempt");
        assertEquals(8, first.explained());
        assertEquals(0, first.failed());

        Path clean = tmp.resolve("clean");
        SparkExplain.run(spark, List.of("cam", "--model", TestModels.DEMO_MODEL.toString(), "--input", input.toString(),
                "--output", clean.toString(), "--quiet"), new PrintStream(new ByteArrayOutputStream()));
        Path out = tmp.resolve("out");
        List<Path> all;
        try (Stream<Path> walk = Files.walk(out)) {
            all = walk.filter(Files::isRegularFile).toList();
        }
        assertTrue(all.stream().noneMatch(p -> p.getFileName().toString().endsWith(".part")), all.toString());
        TreeSet<String> files = names(out);
        files.removeAll(List.of("predictions.parquet", "_cnnexplain"));
        assertEquals(24, files.size(), files.toString());
        TreeSet<String> cleanFiles = names(clean);
        cleanFiles.removeAll(List.of("predictions.parquet", "_cnnexplain"));
        assertEquals(cleanFiles, files);
        for (String f : files) {
            assertSamePixels(clean.resolve(f), out.resolve(f));
        }

        Map<String, FileTime> times = new HashMap<>();
        for (String f : files) {
            times.put(f, Files.getLastModifiedTime(out.resolve(f)));
        }
        List<String> resume = new ArrayList<>(args);
        resume.add("--resume");
        SparkExplain.Summary second = SparkExplain.run(spark, resume, new PrintStream(new ByteArrayOutputStream()));
        assertEquals(new SparkExplain.Summary(8, 0, 8, 0, first.table()), second);
        for (String f : files) {
            assertEquals(times.get(f), Files.getLastModifiedTime(out.resolve(f)), f + " was written again");
        }
        List<Row> rows = spark.read().parquet(second.table()).collectAsList();
        assertEquals(8, rows.size());
        assertTrue(rows.stream().allMatch(r -> r.getBoolean(r.fieldIndex("resumed")) && r.isNullAt(r.fieldIndex("error"))));
    }

    /** One-line refusals before any task starts: what the CLI refuses, and what only a Spark run does. */
    @Test
    void refusesBeforeAnyTaskStarts(@TempDir Path tmp) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("mine.txt"), "the user's");
        List<String> base = List.of("gradcam", "--model", TestModels.DEMO_MODEL.toString(), "--input",
                TestModels.DEMO_IMAGES.toString(), "--output", out.toString());
        Map<List<String>, String> cases = Map.of(
                List.of(), "is not empty; add --resume",
                List.of("--summary"), "--summary draws one contact sheet",
                List.of("--bogus", "1"), "gradcam: unknown option --bogus",
                List.of("--partition-size", "0"), "--partition-size must be a whole number above 0",
                List.of("--opacity", "2"), "--opacity must be between 0 and 1");
        for (Map.Entry<List<String>, String> c : cases.entrySet()) {
            List<String> args = new ArrayList<>(base);
            args.addAll(c.getKey());
            org.cnnexplain.UserError e = org.junit.jupiter.api.Assertions.assertThrows(org.cnnexplain.UserError.class,
                    () -> SparkExplain.run(spark, args, new PrintStream(new ByteArrayOutputStream())));
            assertTrue(e.getMessage().contains(c.getValue()), c.getKey() + ": " + e.getMessage());
        }
        assertEquals(List.of("mine.txt"), List.copyOf(names(out)), "nothing the user had is touched");
    }

    private static TreeSet<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** Float maps within 1e-6, RGB overlays exactly, slice by slice. */
    private static void assertSamePixels(Path expected, Path actual) {
        ImagePlus a = IJ.openImage(expected.toString());
        ImagePlus b = IJ.openImage(actual.toString());
        assertEquals(a.getStackSize(), b.getStackSize(), actual.toString());
        assertEquals(a.getBitDepth(), b.getBitDepth(), actual.toString());
        for (int i = 1; i <= a.getStackSize(); i++) {
            Object pa = a.getStack().getPixels(i);
            Object pb = b.getStack().getPixels(i);
            if (pa instanceof float[] fa) {
                float[] fb = (float[]) pb;
                assertEquals(fa.length, fb.length);
                for (int j = 0; j < fa.length; j++) {
                    assertEquals(fa[j], fb[j], 1e-6, actual + " slice " + i + " pixel " + j);
                }
            } else {
                assertArrayEquals((int[]) pa, (int[]) pb, actual + " slice " + i);
            }
            assertEquals(a.getStack().getSliceLabel(i), b.getStack().getSliceLabel(i));
        }
    }

    /** predictions.csv rows by "name#slice". */
    private static Map<String, String[]> csv(Path file) throws IOException {
        Map<String, String[]> rows = new TreeMap<>();
        List<String> lines = Files.readAllLines(file);
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",", -1);
            rows.put(c[0] + "#" + c[1], c);
        }
        return rows;
    }
}
