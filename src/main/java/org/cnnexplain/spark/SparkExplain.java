package org.cnnexplain.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.cnnexplain.UserError;
import org.cnnexplain.cli.ImageJob;
import org.cnnexplain.cli.Main;

/**
 * {@code spark-submit --class org.cnnexplain.spark.SparkExplain cnn-explain-spark.jar <command> [options]}:
 * a CLI command over every image of a screen, on a Spark cluster.
 *
 * <pre>
 * spark-submit --master yarn --class org.cnnexplain.spark.SparkExplain cnn-explain-spark-0.1.0.jar \
 *     gradcam --model hdfs:///models/cells.onnx --input 'hdfs:///screen/plate*' --output hdfs:///screen-maps \
 *     --layer layer4 --partition-size 32 --resume --csv
 * </pre>
 * The command ({@code predict}, {@code featuremaps}, {@code deconvnet}, {@code cam}, {@code gradcam}) takes
 * the CLI's options under the same names; the job adds {@code --partition-size N} (images per Spark task,
 * default 32), {@code --resume} (skip images whose outputs are complete), {@code --csv} (also
 * {@code predictions.csv}) and, when run without spark-submit, {@code --master URL}. It writes the CLI's files
 * and {@code predictions.parquet} ({@link PredictionTable}) into {@code --output}; exit code 0 when every
 * image was explained, 1 when some failed (their rows say why), 2 on a user error.
 */
public final class SparkExplain {

    static final String USAGE = String.join("\n",
            "usage: cnn-explain spark [--master URL] <command> --model M --input DIR|GLOB|LIST --output DIR",
            "           [--partition-size N] [--resume] [--csv] [options of the command]",
            "  <command>: " + String.join(", ", ImageJob.COMMANDS) + ", with the options of cnn-explain <command>",
            "  --input: a folder, a glob ('plate*/A0?_*.tif') or a text file of image paths, on any Hadoop file system",
            "  --partition-size N: images per Spark task (default 32); --resume: skip images whose outputs are complete;",
            "  --csv: also write predictions.csv; --master: Spark's master when not run by spark-submit (local[2], ...)");

    static final int DEFAULT_PARTITION_SIZE = 32;
    /** The test hook's switch: the name of the image whose task is to fail once (see {@link JobSpec#failOnce}). */
    static final String FAIL_ONCE = "spark.cnnexplain.test.failOnce";
    private static final Set<String> NOT_IN_KEY = Set.of("input", "output", "quiet", "overwrite", "debug");

    private SparkExplain() {
    }

    /** What a run did. {@code explained + resumed + failed == images}. */
    public record Summary(int images, long explained, long resumed, long failed, String table) {
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    /** Starts a session (the cluster's under spark-submit, else {@code --master}), runs, stops it; the exit code. */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || List.of("--help", "-h", "help").contains(argv[0])) {
            (argv.length == 0 ? err : out).println(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        boolean debug = Arrays.asList(argv).contains("--debug");
        try {
            List<String> args = new ArrayList<>(Arrays.asList(argv));
            String master = take(args, "--master");
            SparkSession.Builder builder = SparkSession.builder().appName("cnn-explain " + firstWord(args));
            if (master != null) {
                builder.master(master);
            } else if (!new SparkConf().contains("spark.master")) {
                throw new UserError("no Spark master: run through spark-submit, or give --master local[2] to use"
                        + " two cores of this machine");
            }
            SparkSession spark = builder.getOrCreate();
            try {
                Summary s = run(spark, args, err);
                out.println(s.table());
                return s.failed() == 0 ? 0 : 1;
            } finally {
                spark.stop();
            }
        } catch (RuntimeException | Error e) {
            return Main.failed(e, err, debug);
        }
    }

    /**
     * Runs the job in a session that is already there (tests, a notebook): {@code argv} is the command and
     * its options, as after {@code cnn-explain spark}.
     */
    public static Summary run(SparkSession spark, List<String> argv, PrintStream err) {
        List<String> args = new ArrayList<>(argv);
        int partitionSize = positive(take(args, "--partition-size"), DEFAULT_PARTITION_SIZE);
        boolean resume = args.remove("--resume");
        boolean csv = args.remove("--csv");
        take(args, "--master");
        if (args.isEmpty() || args.get(0).startsWith("--")) {
            throw new UserError("no command (valid: " + String.join(", ", ImageJob.COMMANDS) + ")\n" + USAGE);
        }
        String command = args.remove(0);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        List<String> cliArgs = absolutePaths(args);
        ImageJob job = ImageJob.of(command, cliArgs);   // every option checked here, before a task starts
        if (job.flag("summary")) {
            throw new UserError("--summary draws one contact sheet for a whole run; a Spark run writes "
                    + PredictionTable.PARQUET + " instead (drop --summary)");
        }
        String input = require(job, "input");
        try {
            OutputDir out = new OutputDir(require(job, "output"), conf);
            if (!resume && !job.flag("overwrite") && out.exists(out.dir())
                    && out.fs().listStatus(out.dir()).length > 0) {
                throw new UserError("output folder " + out.dir() + " is not empty; add --resume to finish an earlier"
                        + " run there, or --overwrite to explain every image again");
            }
            List<String> images = InputImages.list(input, conf);
            long start = System.nanoTime();
            if (!job.flag("quiet")) {
                err.println("cnn-explain: " + command + " on " + images.size() + " images in "
                        + (images.size() + partitionSize - 1) / partitionSize + " tasks, output " + out.dir());
            }
            Path markers = new Path(out.resolve("_cnnexplain"), job.key() + "-" + hash(cliArgs));
            JobSpec spec = new JobSpec(command, List.copyOf(cliArgs), out.dir().toString(), markers.toString(), resume,
                    settings(conf), Integer.parseInt(spark.conf().get("spark.task.cpus", "1")),
                    spark.conf().get(FAIL_ONCE, null));
            JavaRDD<String> paths = JavaSparkContext.fromSparkContext(spark.sparkContext())
                    .parallelize(images, (images.size() + partitionSize - 1) / partitionSize);
            JavaRDD<Row> rows = paths.mapPartitions(new ExplainPartition(spec));
            Path parquet = out.resolve(PredictionTable.PARQUET);
            spark.createDataFrame(rows, PredictionTable.SCHEMA).write().mode(SaveMode.Overwrite).parquet(parquet.toString());
            out.sweep(out.dir());
            out.sweep(markers);
            Dataset<Row> table = spark.read().parquet(parquet.toString());
            if (csv) {
                PredictionTable.writeCsv(table, out);
            }
            Summary s = summary(table, images.size(), parquet.toString());
            for (Row f : table.filter(functions.col("error").isNotNull()).select("name", "error").limit(20)
                    .collectAsList()) {
                err.println("cnn-explain: skipped " + f.getString(0) + ": " + f.getString(1));
            }
            if (!job.flag("quiet")) {
                err.printf(java.util.Locale.ROOT, "cnn-explain: %d images: %d explained, %d done before (--resume),"
                                + " %d failed, in %.1f s; table %s%n", s.images(), s.explained(), s.resumed(),
                        s.failed(), (System.nanoTime() - start) / 1e9, s.table());
            }
            return s;
        } catch (IOException e) {
            throw new UserError("cannot write the output: " + e.getMessage());
        }
    }

    private static Summary summary(Dataset<Row> table, int images, String parquet) {
        long failed = table.filter(functions.col("error").isNotNull()).select("image").distinct().count();
        long resumed = table.filter(functions.col("resumed")).select("image").distinct().count();
        return new Summary(images, images - failed - resumed, resumed, failed, parquet);
    }

    /** Removes {@code --name value} from {@code args}; returns the value, or null when absent. */
    private static String take(List<String> args, String name) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals(name)) {
                if (i + 1 >= args.size()) {
                    throw new UserError(name + " needs a value");
                }
                args.remove(i);
                return args.remove(i);
            }
            if (args.get(i).startsWith(name + "=")) {
                return args.remove(i).substring(name.length() + 1);
            }
        }
        return null;
    }

    private static String firstWord(List<String> args) {
        return args.stream().filter(a -> !a.startsWith("--")).findFirst().orElse("");
    }

    private static int positive(String value, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // the message below
        }
        throw new UserError("--partition-size must be a whole number above 0, got '" + value + "'");
    }

    private static String require(ImageJob job, String name) {
        String v = job.option(name);
        if (v == null) {
            throw new UserError("--" + name + " is required");
        }
        return v;
    }

    /**
     * Local paths of {@code --model}, {@code --roi}, {@code --input} and {@code --output} made absolute, so
     * that executors started elsewhere (another folder, a shared file system) find the same files.
     */
    private static List<String> absolutePaths(List<String> args) {
        List<String> out = new ArrayList<>(args);
        for (int i = 0; i + 1 < out.size(); i++) {
            if (List.of("--model", "--roi", "--input", "--output").contains(out.get(i))) {
                out.set(i + 1, absolute(out.get(i + 1)));
            }
        }
        return out;
    }

    private static String absolute(String path) {
        if (new Path(path).toUri().getScheme() != null) {
            return path;
        }
        java.io.File f = new java.io.File(path);
        return f.isAbsolute() || !f.exists() && !path.contains("*") ? path : f.getAbsolutePath();
    }

    /** Names this command's completion markers: the same options, the same outputs. */
    private static String hash(List<String> cliArgs) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < cliArgs.size(); i++) {
            String a = cliArgs.get(i);
            String name = a.startsWith("--") ? a.substring(2).split("=", 2)[0] : null;
            if (name != null && NOT_IN_KEY.contains(name)) {
                if (!a.contains("=") && !Set.of("quiet", "overwrite", "debug").contains(name)) {
                    i++;   // and its value
                }
                continue;
            }
            kept.add(a);
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(String.join("\u0000", kept)
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> settings(Configuration conf) {
        Map<String, String> m = new HashMap<>();
        conf.forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }
}
