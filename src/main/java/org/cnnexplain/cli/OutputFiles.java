package org.cnnexplain.cli;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ColorProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.cnnexplain.UserError;

/**
 * Writes result files without ever overwriting silently: each file is written
 * to a temporary name in the output folder and moved into place, so an
 * interrupted run leaves no half-written file, and an existing file is an error
 * unless {@code --overwrite} was given.
 */
final class OutputFiles {

    private final Path dir;
    private final boolean overwrite;

    OutputFiles(Path dir, boolean overwrite) {
        this.dir = dir;
        this.overwrite = overwrite;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError("cannot create output folder " + dir + ": " + e.getMessage());
        }
    }

    Path dir() {
        return dir;
    }

    /** Fails if {@code name} exists and overwriting was not asked for. */
    Path claim(String name) {
        Path p = dir.resolve(name);
        if (Files.exists(p) && !overwrite) {
            throw new UserError("output " + p + " exists; use --overwrite to replace it");
        }
        return p;
    }

    /**
     * An ImageJ image as TIFF (multi-page when it has several slices; hyperstack dimensions,
     * calibration and slice labels kept); returns {@code name}.
     */
    String tiff(String name, ImagePlus imp) {
        Path target = claim(name);
        write(target, tmp -> imp.getStackSize() > 1 ? new FileSaver(imp).saveAsTiffStack(tmp) : new FileSaver(imp).saveAsTiff(tmp));
        return name;
    }

    String png(String name, ColorProcessor rgb) {
        Path target = claim(name);
        write(target, tmp -> new FileSaver(new ImagePlus(name, rgb)).saveAsPng(tmp));
        return name;
    }

    void text(String name, String content) {
        Path target = claim(name);
        write(target, tmp -> {
            try {
                Files.writeString(Path.of(tmp), content);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private interface Saver {
        boolean save(String path);
    }

    private void write(Path target, Saver saver) {
        Path tmp = dir.resolve("." + target.getFileName() + ".part");
        try {
            if (!saver.save(tmp.toString())) {
                throw new UserError("could not write " + target);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UserError("could not write " + target + ": " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // nothing left to clean
            }
        }
    }
}
