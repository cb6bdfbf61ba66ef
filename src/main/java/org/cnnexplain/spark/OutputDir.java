package org.cnnexplain.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The output folder on its Hadoop file system. A file is published the way the CLI writes one: under a
 * hidden temporary name ({@code .<name>.<attempt>.part}, its own per task attempt, so a retried or speculative
 * task never writes into another's file), then renamed into place. A task that dies between the two leaves
 * only a hidden {@code .part} file, which {@link #sweep} removes when the job ends; a finished file is always
 * whole, and there is only ever one of it.
 *
 * <p>On a local disk the raw file system is used: Hadoop's checksumming one would leave a {@code .crc} beside
 * every output.
 */
final class OutputDir {

    private final FileSystem fs;
    private final Path dir;

    OutputDir(String dir, Configuration conf) throws IOException {
        Path p = new Path(dir);
        FileSystem f = p.getFileSystem(conf);
        this.fs = f instanceof ChecksumFileSystem c ? c.getRawFileSystem() : f;
        this.dir = fs.makeQualified(p);
    }

    Path dir() {
        return dir;
    }

    FileSystem fs() {
        return fs;
    }

    Path resolve(String name) {
        return new Path(dir, name);
    }

    /** Copies a local file to {@code target} (a path under this folder's file system) by way of a temporary name. */
    void publish(java.nio.file.Path local, Path target, long attempt, Runnable beforeRename) throws IOException {
        Path tmp = temporary(target, attempt);
        fs.copyFromLocalFile(false, true, new Path(local.toUri()), tmp);
        beforeRename.run();
        moveIntoPlace(tmp, target);
    }

    /** Writes a small text file (a completion marker) by way of a temporary name. */
    void write(Path target, String text, long attempt) throws IOException {
        Path tmp = temporary(target, attempt);
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        moveIntoPlace(tmp, target);
    }

    String read(Path file) throws IOException {
        try (var in = fs.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    boolean exists(Path p) throws IOException {
        return fs.exists(p);
    }

    private static Path temporary(Path target, long attempt) {
        return new Path(target.getParent(), "." + target.getName() + "." + attempt + ".part");
    }

    /** Rename does not replace on HDFS: an older copy (a previous attempt's, identical) goes first. */
    private void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            if (fs.exists(target)) {
                fs.delete(target, false);
            }
            if (!fs.rename(tmp, target)) {
                throw new IOException("could not rename " + tmp + " to " + target);
            }
        } finally {
            if (fs.exists(tmp)) {
                fs.delete(tmp, false);
            }
        }
    }

    /** Removes what dead task attempts left: hidden {@code .part} files in {@code folder}. Returns how many. */
    int sweep(Path folder) throws IOException {
        int n = 0;
        FileStatus[] parts = fs.globStatus(new Path(folder, ".*.part"));
        for (FileStatus s : parts == null ? new FileStatus[0] : parts) {
            if (fs.delete(s.getPath(), false)) {
                n++;
            }
        }
        return n;
    }
}
