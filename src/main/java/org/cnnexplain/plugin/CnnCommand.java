package org.cnnexplain.plugin;

import ij.IJ;
import ij.ImagePlus;
import java.io.File;
import org.cnnexplain.UserError;
import org.cnnexplain.model.ExplainableModel;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;

/**
 * The parameters every CNN Explain command has (the image, the model, its
 * normalisation and device) and how a command fails: a user error cancels it
 * with a one-line reason, logged, and shown in a dialog when a person is at an
 * ImageJ window; the input image is left as it was.
 */
public abstract class CnnCommand extends ContextCommand {

    @Parameter(label = "Image", persist = false)
    protected ImagePlus image;

    @Parameter(label = "Model file (.onnx)", style = "open")
    protected File model;

    @Parameter(label = "Normalisation", choices = {"model", "none", "minmax", "percentile", "zscore"})
    protected String normalize = "model";

    @Parameter(label = "Device", choices = {"auto", "cpu", "gpu"})
    protected String device = "auto";

    @Parameter
    protected ModelService models;

    @Parameter
    protected LogService log;

    /** Menu name, e.g. "Grad-CAM", for titles and messages. */
    protected abstract String title();

    /** The command's work; throw {@link UserError} for anything the user can fix. */
    protected abstract void compute();

    @Override
    public void run() {
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
        if (model == null) {
            throw new UserError("no model file chosen");
        }
        return models.get(model, device);
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
