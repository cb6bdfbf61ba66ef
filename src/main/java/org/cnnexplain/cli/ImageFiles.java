package org.cnnexplain.cli;

import ij.ImagePlus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnexplain.UserError;
import org.cnnexplain.image.ImageFolder;

/** Finds the images behind an {@code --input} (a file or a folder) and opens them with ImageJ 1 ({@link ImageFolder}). */
final class ImageFiles {

    private ImageFiles() {
    }

    /** The file itself, or the folder's image files sorted by name. */
    static List<Path> list(Path input) {
        return ImageFolder.list(input);
    }

    static boolean isImage(Path p) {
        return ImageFolder.isImage(p);
    }

    /** Opens one image; an unreadable file is a {@link org.cnnexplain.UserError}, never an ImageJ dialog. */
    static ImagePlus open(Path file) {
        return ImageFolder.open(file);
    }

    /** A binary mask image (non-zero = inside), or null when the file does not exist. */
    static boolean[] mask(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        ImagePlus imp = open(file);
        ij.process.ImageProcessor ip = imp.getProcessor();
        boolean[] m = new boolean[ip.getPixelCount()];
        for (int i = 0; i < m.length; i++) {
            m[i] = ip.getf(i) > 0;
        }
        return m;
    }
}
