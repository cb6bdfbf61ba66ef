package org.cnnexplain.plugin;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;
import java.io.File;
import java.util.List;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.Region;
import org.cnnexplain.explain.Target;
import org.cnnexplain.explain.quality.Evaluation;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.render.QualityReport;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN Explain › Evaluate: which map to trust on your own data. For the current image
 * (every plane of a stack) and a mask of what should matter — the image's area ROI, or a mask
 * image's non-zero pixels ({@code mask}) — the chosen methods are scored side by side: pointing
 * game, energy ratio, and deletion, random-order deletion and insertion curves
 * ({@link Evaluation}). The curves come back as an ImageJ Plot, the AUCs as a Results table
 * (one row per method).
 *
 * <pre>
 * run("Evaluate", "model=[/data/demo.onnx] mask=[/data/masks/cell_004.png] methods=[gradcam,scorecam,cam] layer=auto target=top1 tolerance=15 steps=20");
 * </pre>
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN Explain>Evaluate", headless = true)
public class EvaluateCommand extends CnnCommand {

    @Parameter(label = "Mask image (non-zero = what should matter; empty: the image's ROI)", style = "open",
            required = false, persist = false)
    private File mask;   // not remembered: a mask belongs to one image

    @Parameter(label = "Methods (comma-separated, or all)")
    private String methods = "gradcam,gradcampp,xgradcam,layercam,hirescam,eigencam,scorecam,cam";

    @Parameter(label = "Layer (name, module path, or auto)")
    private String layer = "auto";

    @Parameter(label = "Target class (index, name, or top1)")
    private String target = "top1";

    @Parameter(label = "Tolerance of the pointing game (pixels)", min = "0")
    private double tolerance = 15;

    @Parameter(label = "Steps of the deletion and insertion curves", min = "1")
    private int steps = 20;

    @Parameter(label = "Scores", type = ItemIO.OUTPUT)
    private ResultsTable table;

    @Parameter(label = "Curves", type = ItemIO.OUTPUT)
    private ImagePlus plot;

    @Override
    protected String title() {
        return "Evaluate";
    }

    @Override
    protected void compute() {
        ExplainableModel m = loadModel();
        boolean[] inside = mask();
        int[] size = m.fixedSize();
        if (size != null && (size[0] != image.getWidth() || size[1] != image.getHeight())) {
            throw new UserError("evaluate needs images of the model's input size " + size[0] + " x " + size[1]
                    + "; the image is " + image.getWidth() + " x " + image.getHeight());
        }
        Evaluation e = new Evaluation(Evaluation.parseMethods(methods), layer, Target.parse(target, "logit"),
                tolerance, steps, 7);
        Normalization norm = Normalization.of(normalize, m.spec());
        int scored = 0;
        for (float[] raw : rawPlanes(image, m.inputChannels())) {
            if (isCanceled()) {
                return;
            }
            scored += e.add(m, raw, m.inputChannels(), image.getHeight(), image.getWidth(), norm, inside) ? 1 : 0;
        }
        if (scored == 0) {
            throw new UserError("the mask is empty: nothing to point at");
        }
        table = QualityReport.table(e.results(), tolerance);
        plot = QualityReport.plotImage(e.results(), image.getTitle() + " – Evaluate");
        if (!java.awt.GraphicsEnvironment.isHeadless()) {
            // ImageJ's system Results table: what macros read with getResult("Deletion AUC", row)
            ij.plugin.filter.Analyzer.setResultsTable(table);
            table.show("Results");
        }
        log.info("cnn-explain: Evaluate of " + image.getTitle() + " with " + model.getName() + " on " + m.device());
    }

    /** Every plane (z, t) of {@code imp} as raw pixels, C × H × W, channels mapped to the model's. */
    public static List<float[]> rawPlanes(ImagePlus imp, int channels) {
        ArrayImg<FloatType, FloatArray> img = ImagePlusImgs.toFloat(imp);
        TensorBatch raw = TensorBatch.of(img, channels, Normalization.of("none", null));
        List<float[]> out = new java.util.ArrayList<>();
        for (int s = 0; s < raw.size(); s++) {
            out.add(raw.sample(s));
        }
        return out;
    }

    private boolean[] mask() {
        if (mask != null) {
            if (!mask.isFile()) {
                throw new UserError("mask file not found: " + mask);
            }
            ImagePlus m = IJ.openImage(mask.getPath());
            if (m == null) {
                throw new UserError("cannot read the mask " + mask.getName() + " as an image");
            }
            if (m.getWidth() != image.getWidth() || m.getHeight() != image.getHeight()) {
                throw new UserError("the mask is " + m.getWidth() + " x " + m.getHeight() + ", the image "
                        + image.getWidth() + " x " + image.getHeight());
            }
            ij.process.ImageProcessor ip = m.getProcessor();
            boolean[] out = new boolean[ip.getPixelCount()];
            for (int i = 0; i < out.length; i++) {
                out[i] = ip.getf(i) > 0;
            }
            return out;
        }
        Region r = Rois.region(image);
        if (r == null) {
            throw new UserError("no mask: draw an area ROI around what should matter, or give a mask image (mask=)");
        }
        return r.mask();
    }
}
