package org.cnnexplain.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.cnnexplain.UserError;
import org.cnnexplain.cli.ImageJob;

/**
 * One task: explains a partition of image paths on an executor and returns their table rows.
 *
 * <p>Per image: with {@code --resume}, an image whose completion marker is there and whose listed files all
 * exist gives its rows back from the marker and is not explained again. Otherwise the image is read (copied
 * to local disk first when it is not there), explained by the CLI's code into a local scratch folder, every
 * file published into the output folder, and last the marker written — so a marker always means "every file
 * complete". An image that cannot be explained (unreadable, wrong size, ...) is a row with its error; the
 * task goes on. A failure to write the output is the task's: Spark retries it, and the retry writes the same
 * files again.
 */
final class ExplainPartition implements FlatMapFunction<Iterator<String>, Row> {

    private final JobSpec spec;

    ExplainPartition(JobSpec spec) {
        this.spec = spec;
    }

    @Override
    public Iterator<Row> call(Iterator<String> images) throws IOException {
        ImageJob job = ExecutorJobs.get(spec);
        Configuration conf = spec.hadoopConf();
        OutputDir out = new OutputDir(spec.output(), conf);
        Path markers = new Path(spec.markers());
        TaskContext task = TaskContext.get();
        long attempt = task == null ? 0 : task.taskAttemptId();
        boolean firstAttempt = task == null || task.attemptNumber() == 0;
        java.nio.file.Path scratch = Files.createTempDirectory("cnn-explain-task");
        List<Row> rows = new ArrayList<>();
        try {
            while (images.hasNext()) {
                String image = images.next();
                String name = new Path(image).getName();
                Path marker = new Path(markers, ImageJob.stem(name) + ".json");
                if (spec.resume()) {
                    ImageJob.Result done = completed(out, marker);
                    if (done != null) {
                        rows.addAll(PredictionTable.rows(image, done, paths(out, done), true));
                        continue;
                    }
                }
                java.nio.file.Path results = scratch.resolve("out");
                clear(results);
                ImageJob.Result r;
                try {
                    r = job.run(local(image, conf, scratch.resolve("in")), results);
                } catch (UserError e) {
                    rows.add(PredictionTable.failed(image, e.getMessage()));
                    continue;
                } catch (RuntimeException e) {
                    rows.add(PredictionTable.failed(image, "internal error: " + e));
                    continue;
                }
                boolean failHere = firstAttempt && name.equals(spec.failOnce());
                for (int i = 0; i < r.files().size(); i++) {
                    boolean fail = failHere && i == Math.min(1, r.files().size() - 1);
                    out.publish(results.resolve(r.files().get(i)), out.resolve(r.files().get(i)), attempt, () -> {
                        if (fail) {
                            throw new IllegalStateException("test hook: the task explaining " + name
                                    + " fails once, before renaming its temporary file");
                        }
                    });
                }
                if (failHere && r.files().isEmpty()) {
                    throw new IllegalStateException("test hook: the task explaining " + name + " fails once");
                }
                out.write(marker, r.toJson(), attempt);
                rows.addAll(PredictionTable.rows(image, r, paths(out, r), false));
            }
        } finally {
            clear(scratch);
        }
        return rows.iterator();
    }

    /** The marker's result when the marker is there and so is every file it lists; else null. */
    private static ImageJob.Result completed(OutputDir out, Path marker) throws IOException {
        if (!out.exists(marker)) {
            return null;
        }
        ImageJob.Result r;
        try {
            r = ImageJob.Result.fromJson(out.read(marker));
        } catch (RuntimeException e) {
            return null;   // unreadable marker: explain the image again
        }
        for (String f : r.files()) {
            if (!out.exists(out.resolve(f))) {
                return null;
            }
        }
        return r;
    }

    private static List<String> paths(OutputDir out, ImageJob.Result r) {
        return r.files().stream().map(f -> out.resolve(f).toString()).toList();
    }

    /** The image on local disk: itself on a local file system, else a copy (named as the original). */
    private static java.nio.file.Path local(String image, Configuration conf, java.nio.file.Path dir) throws IOException {
        Path p = new Path(image);
        FileSystem fs = p.getFileSystem(conf);
        if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
            return java.nio.file.Path.of(fs.makeQualified(p).toUri());
        }
        clear(dir);
        Files.createDirectories(dir);
        java.nio.file.Path copy = dir.resolve(p.getName());
        try {
            fs.copyToLocalFile(false, p, new Path(copy.toUri()), true);
        } catch (java.io.FileNotFoundException e) {
            throw new UserError("image not found: " + image);
        }
        return copy;
    }

    private static void clear(java.nio.file.Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<java.nio.file.Path> walk = Files.walk(dir)) {
            for (java.nio.file.Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
