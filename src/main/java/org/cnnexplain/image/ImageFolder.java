package org.cnnexplain.image;

import ij.IJ;
import ij.ImagePlus;
import ij.io.Opener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.cnnexplain.UserError;

/**
 * Finds the images behind an input (a file or a folder) and opens them with ImageJ 1: what the command line
 * and the folder-level commands (the neuron atlas) read images with.
 */
public final class ImageFolder {

    private static final List<String> EXTENSIONS = List.of(".tif", ".tiff", ".png", ".jpg", ".jpeg", ".bmp", ".gif");

    private ImageFolder() {
    }

    /** The file itself, or the folder's image files sorted by name. */
    public static List<Path> list(Path input) {
        if (!Files.exists(input)) {
            throw new UserError("input not found: " + input);
        }
        if (Files.isRegularFile(input)) {
            return List.of(input);
        }
        try (Stream<Path> files = Files.list(input)) {
            List<Path> images = files.filter(Files::isRegularFile).filter(ImageFolder::isImage).sorted().toList();
            if (images.isEmpty()) {
                throw new UserError("no images in folder " + input + " (looked for " + String.join(" ", EXTENSIONS) + ")");
            }
            return images;
        } catch (IOException e) {
            throw new UserError("cannot list folder " + input + ": " + e.getMessage());
        }
    }

    public static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && EXTENSIONS.stream().anyMatch(n::endsWith);
    }

    /** Opens one image; an unreadable file is a {@link UserError}, never an ImageJ dialog. */
    public static ImagePlus open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserError("image not found: " + file);
        }
        try {
            if (Files.size(file) == 0) {
                throw new UserError("image '" + file.getFileName() + "' is an empty file");
            }
        } catch (IOException e) {
            throw new UserError("cannot read image '" + file.getFileName() + "': " + e.getMessage());
        }
        checkTiffSize(file);
        ImagePlus imp;
        try {
            Opener opener = new Opener();
            opener.setSilentMode(true);
            IJ.redirectErrorMessages(true);
            imp = opener.openImage(file.toAbsolutePath().toString());
        } catch (RuntimeException e) {
            imp = null;
        }
        if (imp == null || imp.getWidth() < 1 || imp.getHeight() < 1) {
            throw new UserError("cannot open image '" + file.getFileName() + "' (not a readable TIFF/PNG/JPEG, or corrupt)");
        }
        return imp;
    }

    /** Reads only a TIFF's header, so that a huge (or corrupt, huge-looking) image is refused before it is loaded. */
    private static void checkTiffSize(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!n.endsWith(".tif") && !n.endsWith(".tiff")) {
            return;
        }
        ij.io.FileInfo[] info;
        try {
            info = new ij.io.TiffDecoder(file.toAbsolutePath().getParent().toString() + java.io.File.separator,
                    file.getFileName().toString()).getTiffInfo();
        } catch (IOException | RuntimeException e) {
            throw new UserError("cannot open image '" + file.getFileName() + "' (not a readable TIFF, or corrupt)");
        }
        if (info == null || info.length == 0) {
            throw new UserError("cannot open image '" + file.getFileName() + "' (not a readable TIFF, or corrupt)");
        }
        long planes = info.length == 1 ? Math.max(1, info[0].nImages) : info.length;
        ImageLimits.check(info[0].width, info[0].height, planes, 4);
    }
}
