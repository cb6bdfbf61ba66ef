package org.cnnexplain.atlas;

import ij.ImagePlus;
import ij.plugin.Duplicator;
import java.nio.file.Path;
import java.util.List;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;
import org.cnnexplain.UserError;
import org.cnnexplain.image.ImageFolder;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.Resampling;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;

/**
 * What the atlas streams over, one unit at a time so that only one is in memory: the files of a folder
 * (every z/t plane of a file is a sample, its slice) or the planes of an open stack (each plane a unit of
 * one sample). Units are read twice: once for the top-K pass, and again — only those holding a kept
 * neuron — for the patches and projections.
 */
public abstract class AtlasInput {

    /** One unit: the name the atlas gives it (file name or stack title), its first slice (1-based) and its samples. */
    public record Unit(String name, int firstSlice, TensorBatch samples) {
    }

    private final Normalization normalization;
    private final int channels;
    private final int[] resizeTo;

    AtlasInput(ExplainableModel model, String normalize, String fit) {
        if (model.isVolumetric()) {
            throw new UserError("the neuron atlas works on 2-D models; '" + model.path().getFileName()
                    + "' takes z-stacks");
        }
        this.normalization = Normalization.of(normalize, model.spec());
        this.channels = model.inputChannels();
        this.resizeTo = "resize".equals(fit) ? model.fixedSize() : null;
    }

    /** How many units. */
    public abstract int size();

    /** Unit {@code i}, read and normalised. */
    public abstract Unit load(int i);

    /** A short description for the log: "60 images in demo". */
    public abstract String describe();

    public Normalization normalization() {
        return normalization;
    }

    TensorBatch batch(ImagePlus imp) {
        ArrayImg<FloatType, FloatArray> img = ImagePlusImgs.toFloat(imp);
        if (resizeTo != null && (img.dimension(0) != resizeTo[0] || img.dimension(1) != resizeTo[1])) {
            img = Resampling.resize(img, resizeTo[0], resizeTo[1]);
        }
        return TensorBatch.of(img, channels, normalization);
    }

    /** The image files of a folder (sorted by name, as the command line lists them), or one file. */
    public static AtlasInput folder(Path dir, ExplainableModel model, String normalize, String fit) {
        List<Path> files = ImageFolder.list(dir);
        return new AtlasInput(model, normalize, fit) {
            @Override
            public int size() {
                return files.size();
            }

            @Override
            public Unit load(int i) {
                return new Unit(files.get(i).getFileName().toString(), 1, batch(ImageFolder.open(files.get(i))));
            }

            @Override
            public String describe() {
                return files.size() + " image file(s) in " + dir;
            }
        };
    }

    /** The planes (z, t) of an open image, each with all its channels. */
    public static AtlasInput stack(ImagePlus imp, ExplainableModel model, String normalize, String fit) {
        int planes = imp.getNSlices() * imp.getNFrames();
        return new AtlasInput(model, normalize, fit) {
            @Override
            public int size() {
                return planes;
            }

            @Override
            public Unit load(int i) {
                int z = i % imp.getNSlices() + 1;
                int t = i / imp.getNSlices() + 1;
                ImagePlus plane = planes == 1 ? imp
                        : new Duplicator().run(imp, 1, imp.getNChannels(), z, z, t, t);
                return new Unit(imp.getTitle(), i + 1, batch(plane));
            }

            @Override
            public String describe() {
                return planes + " plane(s) of " + imp.getTitle();
            }
        };
    }
}
