package org.cnnexplain.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.cnnexplain.UserError;
import org.cnnexplain.cli.ImageJob;

/**
 * The images behind {@code --input}, listed on the driver (only their paths travel to the executors):
 * <ul>
 *   <li>a folder: its image files, as the CLI takes them ({@code hdfs:///screen/plate01});</li>
 *   <li>a glob: every image file it matches, and the image files of every folder it matches
 *       ({@code s3a://lab/screen/plate*}{@code /A0?_*.tif}, {@code hdfs:///screen/plate0[1-4]});</li>
 *   <li>any other file: a list of paths, one a line, {@code #} starts a comment, relative paths are
 *       relative to the list's folder ({@code plate01/A01_f1.tif}).</li>
 * </ul>
 * Outputs are named after an image's stem, so two inputs with the same stem are refused.
 */
final class InputImages {

    private InputImages() {
    }

    static List<String> list(String input, Configuration conf) {
        Path path = new Path(input);
        try {
            FileSystem fs = path.getFileSystem(conf);
            List<String> images = new ArrayList<>();
            if (isGlob(input)) {
                FileStatus[] matches = fs.globStatus(path);
                for (FileStatus s : matches == null ? new FileStatus[0] : matches) {
                    images.addAll(s.isDirectory() ? imagesIn(fs, s.getPath()) : imagesIn(new FileStatus[] {s}));
                }
                if (images.isEmpty()) {
                    throw new UserError("no images match " + input);
                }
            } else if (!fs.exists(path)) {
                throw new UserError("input not found: " + input);
            } else if (fs.getFileStatus(path).isDirectory()) {
                images.addAll(imagesIn(fs, path));
                if (images.isEmpty()) {
                    throw new UserError("no images in folder " + input);
                }
            } else if (ImageJob.isImageName(path.getName())) {
                images.add(fs.makeQualified(path).toString());
            } else {
                images.addAll(readList(fs, fs.makeQualified(path)));
                if (images.isEmpty()) {
                    throw new UserError("the list " + input + " names no images");
                }
            }
            images.sort(Comparator.naturalOrder());
            checkStems(images);
            return images;
        } catch (IOException e) {
            throw new UserError("cannot list " + input + ": " + e.getMessage());
        }
    }

    private static List<String> imagesIn(FileSystem fs, Path folder) throws IOException {
        return imagesIn(fs.listStatus(folder));
    }

    private static List<String> imagesIn(FileStatus[] entries) {
        List<String> images = new ArrayList<>();
        for (FileStatus s : entries) {
            if (s.isFile() && ImageJob.isImageName(s.getPath().getName())) {
                images.add(s.getPath().toString());
            }
        }
        return images;
    }

    private static boolean isGlob(String s) {
        return s.chars().anyMatch(c -> c == '*' || c == '?' || c == '[' || c == '{');
    }

    private static List<String> readList(FileSystem fs, Path list) throws IOException {
        List<String> paths = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(list), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String p = line.strip();
                if (p.isEmpty() || p.startsWith("#")) {
                    continue;
                }
                Path image = new Path(p);
                image = image.isAbsolute() || image.toUri().getScheme() != null ? image : new Path(list.getParent(), image);
                paths.add(image.getFileSystem(fs.getConf()).makeQualified(image).toString());
            }
        }
        return paths;
    }

    private static void checkStems(List<String> images) {
        Map<String, String> byStem = new HashMap<>();
        for (String image : images) {
            String other = byStem.put(ImageJob.stem(new Path(image).getName()), image);
            if (other != null) {
                throw new UserError("two inputs would write the same output files: " + other + " and " + image
                        + " (outputs are named after the file name without its extension; rename one, or run them"
                        + " into different --output folders)");
            }
        }
    }
}
