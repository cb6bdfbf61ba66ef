package org.cnnexplain.spark;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkFiles;
import org.cnnexplain.UserError;
import org.cnnexplain.cli.ImageJob;

/**
 * The executor side's one job per JVM: every task of a run in this JVM gets the same {@link ImageJob}, so
 * the model is loaded once per executor, not once per task or image.
 *
 * <p>Before the first load it prepares the JVM the way a cluster needs: DJL stays offline (natives from
 * the jar on the class path, never downloaded) and unpacks them to local disk — {@code ~/.djl.ai} when it
 * is writable, else the executor's temporary folder (set {@code ENGINE_CACHE_DIR} to choose); libtorch gets
 * {@code spark.task.cpus} threads, so the tasks running side by side do not each take every core. A model
 * (and its {@code .json} spec) or ROI mask given on a Hadoop file system is copied to local disk once.
 */
final class ExecutorJobs {

    private static final Map<List<String>, ImageJob> JOBS = new HashMap<>();

    private ExecutorJobs() {
    }

    static synchronized ImageJob get(JobSpec spec) throws IOException {
        ImageJob job = JOBS.get(spec.cliArgs());
        if (job == null) {
            prepareEngine(spec.threads());
            List<String> args = localize(spec.cliArgs(), spec.hadoopConf());
            job = ImageJob.of(spec.command(), args);
            JOBS.put(spec.cliArgs(), job);
        }
        return job;
    }

    private static void prepareEngine(int threads) {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(Math.max(1, threads)));
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        if (System.getenv("ENGINE_CACHE_DIR") == null && System.getProperty("ENGINE_CACHE_DIR") == null
                && System.getenv("DJL_CACHE_DIR") == null && System.getProperty("DJL_CACHE_DIR") == null) {
            File home = new File(System.getProperty("user.home", ""), ".djl.ai");
            boolean writable = home.isDirectory() ? home.canWrite() : home.getParentFile() != null
                    && home.getParentFile().canWrite();
            if (!writable) {
                System.setProperty("ENGINE_CACHE_DIR",
                        new File(System.getProperty("java.io.tmpdir"), "cnn-explain-djl").getAbsolutePath());
            }
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** The option list with {@code --model} and {@code --roi} pointing at local files. */
    private static List<String> localize(List<String> args, Configuration conf) throws IOException {
        List<String> out = new ArrayList<>(args);
        for (int i = 0; i < out.size(); i++) {
            String a = out.get(i);
            for (String name : List.of("model", "roi")) {
                if (a.equals("--" + name) && i + 1 < out.size()) {
                    out.set(i + 1, local(out.get(i + 1), conf, name.equals("model")));
                } else if (a.startsWith("--" + name + "=")) {
                    out.set(i, "--" + name + "=" + local(a.substring(name.length() + 3), conf, name.equals("model")));
                }
            }
        }
        return out;
    }

    /**
     * A local path for {@code file}: itself when it is on local disk; a file shipped with spark-submit
     * {@code --files} under its name; else a copy from its Hadoop file system (with the spec beside a model).
     */
    private static String local(String file, Configuration conf, boolean model) throws IOException {
        Path p = new Path(file);
        String scheme = p.toUri().getScheme();
        if (scheme == null || scheme.equals("file")) {
            File f = new File(p.toUri().getPath());
            if (f.exists()) {
                return f.getAbsolutePath();
            }
            File shipped = sparkFile(p.getName());
            if (shipped != null) {
                return shipped.getAbsolutePath();
            }
            throw new UserError("not found on this executor: " + file + " (put it on a shared or Hadoop file system,"
                    + " e.g. hdfs:///models/" + p.getName() + ", or ship it with spark-submit --files)");
        }
        FileSystem fs = p.getFileSystem(conf);
        java.nio.file.Path dir = Files.createTempDirectory("cnn-explain-model");
        java.nio.file.Path copy = dir.resolve(p.getName());
        fs.copyToLocalFile(false, p, new Path(copy.toUri()), true);
        if (model) {
            String stem = org.cnnexplain.cli.ImageJob.stem(p.getName());
            Path spec = new Path(p.getParent(), stem + ".json");
            if (!p.getName().endsWith(".json") && fs.exists(spec)) {
                fs.copyToLocalFile(false, spec, new Path(dir.resolve(spec.getName()).toUri()), true);
            }
        }
        return copy.toString();
    }

    private static File sparkFile(String name) {
        try {
            File f = new File(SparkFiles.get(name));
            return f.exists() ? f : null;
        } catch (RuntimeException e) {
            return null;   // no SparkContext / SparkEnv here (not inside a task)
        }
    }
}
