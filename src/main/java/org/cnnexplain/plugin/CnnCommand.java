package org.cnnexplain.plugin;

import ij.IJ;
import ij.ImagePlus;
import java.io.File;
import org.cnnexplain.UserError;
import org.cnnexplain.model.ExplainableModel;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;
import org.cnnexplain.image.ImageLimits;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.Resampling;
import org.cnnexplain.image.TensorBatch;
import org.scijava.command.DynamicCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;

/**
 * The parameters every CNN Explain command has (the image, the model, its
 * normalisation and device) and how a command fails: a user error cancels it
 * with a one-line reason, logged, and shown in a dialog when a person is at an
 * ImageJ window; the input image is left as it was.
 */
public abstract class CnnCommand extends DynamicCommand {

    @Parameter(label = "Image", persist = false)
    protected ImagePlus image;

    @Parameter(label = "Model (.onnx, TorchScript .pt, or a bioimage.io package: folder, .zip, rdf.yaml)",
            style = "both",   // a package may be a folder
            description = "The exported classifier; class names and normalisation come from <model>.json beside it"
                    + " or from the package", callback = "modelChanged", initializer = "modelChanged")
    protected File model;

    @Parameter(label = "Normalize the image: model = as the model's .json says",
            description = "How pixel values are scaled before the model sees them", choices = {"model", "none", "minmax", "percentile", "zscore"})
    protected String normalize = "model";

    @Parameter(label = "Device: auto uses a GPU when there is one",
            description = "Where the model runs; the Log says which one ran", choices = {"auto", "cpu", "gpu"})
    protected String device = "auto";

    @Parameter(label = "Fit: if the image size differs from the model's",
            description = "error: refuse; resize: resample the image to the model and the maps back; tile: cut a"
                    + " large image into overlapping model-sized tiles and stitch the results (classifiers)",
            choices = {"error", "resize", "tile"})
    protected String fit = "error";

    @Parameter(label = "Stride of the tiles in pixels for fit=tile (0 = half the tile)", min = "0",
            description = "How far apart the overlapping tiles are; smaller is smoother and slower")
    protected int stride;

    @Parameter
    protected ModelService models;

    @Parameter
    protected LogService log;

    /**
     * Fiji's dialog lists the parameters in {@link DialogLayout}'s order: what to explain first. A command
     * that works without an open image ({@link #needsImage()}) makes its image input optional first.
     */
    @Override
    public void initialize() throws org.scijava.module.MethodCallException {
        if (!needsImage()) {
            getInfo().getMutableInput("image", ImagePlus.class).setRequired(false);
        }
        DialogLayout.reorder(getInfo());
        super.initialize();
    }

    /** False for commands that read a folder or start from noise, where an open image is optional. */
    protected boolean needsImage() {
        return true;
    }

    /** Menu name, e.g. "Grad-CAM", for titles and messages. */
    protected abstract String title();

    /** The command's work; throw {@link UserError} for anything the user can fix. */
    protected abstract void compute();

    @Override
    public void run() {
        IJ.resetEscape();   // an Esc pressed before this run must not stop it
        try {
            compute();
        } catch (UserError e) {
            fail(e.getMessage());
        }
    }

    /** The chosen model, loaded once per file; checks that there is an image and a model. */
    protected ExplainableModel loadModel() {
        if (image == null) {
            throw new UserError("no image is open");
        }
        return loadModelFile();
    }

    /** The chosen model, for a command that reads its images itself (a folder): checks only the model. */
    protected ExplainableModel loadModelFile() {
        if (model == null) {
            throw new UserError("no model file chosen");
        }
        return models.get(model, device);
    }

    /**
     * The image as a batch for {@code m}: every z/t plane (every z-stack for a 3-D model), channels
     * mapped, normalised; resampled
     * to the model's fixed input size when {@code fit=resize} (never cropped).
     */
    protected TensorBatch batchFor(ExplainableModel m) {
        return batchFor(m, image);
    }

    /** {@link #batchFor(ExplainableModel)} of another image than the command's (one of a folder). */
    protected TensorBatch batchFor(ExplainableModel m, ImagePlus image) {
        ImageLimits.check(image.getWidth(), image.getHeight(), (long) image.getStackSize(), 3);
        ArrayImg<FloatType, FloatArray> img = ImagePlusImgs.toFloat(image);
        int[] size = m.fixedSize();
        if (size != null && fit.equals("resize") && (img.dimension(0) != size[0] || img.dimension(1) != size[1])) {
            img = Resampling.resize(img, size[0], size[1]);
        }
        Normalization norm = Normalization.of(normalize, m.spec());
        if (!m.isVolumetric()) {
            return TensorBatch.of(img, m.inputChannels(), norm);
        }
        int depth = m.fixedDepth();
        if (depth > 0 && img.dimension(3) != depth) {
            throw new UserError("the model takes z-stacks of " + depth + " slices, the image has " + img.dimension(3)
                    + " (make a substack or scale z to " + depth + " slices first)");
        }
        return TensorBatch.volumes(img, m.inputChannels(), norm);
    }

    /**
     * The input shape layer tables are made for: for a model that takes any size the current image's
     * (grown to the multiple the model takes, as a run pads it), else the model's own.
     */
    protected long[] layerTableShape(ExplainableModel m) {
        if (!m.takesAnySize() || image == null) {
            return m.referenceShape();
        }
        long[] shape = m.isVolumetric() ? m.shapeFor(image.getNSlices(), image.getHeight(), image.getWidth())
                : m.shapeFor(image.getHeight(), image.getWidth());
        return org.cnnexplain.model.InputPadding.of(m, shape).padded();
    }

    /** {@code fit=tile}: the image is cut into model-sized tiles ({@link org.cnnexplain.tile.TiledRun}). */
    protected boolean tiled() {
        return "tile".equals(fit);
    }

    /** Whether a long run should stop: the command was cancelled, or Esc was pressed in ImageJ. */
    protected boolean stopped() {
        return isCanceled() || IJ.escapePressed();
    }

    /** When the model changes in a dialog: offer its layers and classes (commands that have them). */
    protected void modelChanged() {
    }

    /** Cancels with {@code message}: logged, and shown in a dialog when ImageJ has a window. */
    protected void fail(String message) {
        String msg = title() + ": " + message;
        cancel(msg);
        log.error(msg);
        if (!java.awt.GraphicsEnvironment.isHeadless() && IJ.getInstance() != null && !IJ.isMacro()) {
            IJ.error("CNN Explain", msg);
        }
    }
}
