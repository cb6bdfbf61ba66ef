package org.cnnexplain.plugin;

import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.explain.Smoothing;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN Explain › Grad-CAM: the Grad-CAM family on the current image.
 *
 * <pre>
 * run("Grad-CAM", "model=[/data/demo.onnx] layer=block4 target=mitotic variant=gradcam lut=inferno opacity=0.5");
 * run("Grad-CAM", "model=[/data/demo.onnx] layer=block3 variant=smoothgradcampp samples=8 noise=0.15 seed=0");
 * run("Grad-CAM", "model=[/data/demo.onnx] layer=block3 variant=gradcam smoothgrad=16 noise=0.15 seed=0 augment");
 * </pre>
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN Explain>Grad-CAM", headless = true)
public class GradCamCommand extends HeatmapCommandBase {

    @Parameter(label = "Layer: module path, node name, or auto",
            description = "The layer whose activations are weighted; auto = the last spatial layer")
    private String layer = "auto";

    @Parameter(label = "Target class: index, name, or top1 (the predicted one)",
            description = "The class whose evidence the map shows")
    private String target = "top1";

    @Parameter(label = "Score of the target class", choices = {"logit", "probability"},
            description = "Explain the raw score (logit) or the softmax probability")
    private String score = "logit";

    @Parameter(label = "Variant of Grad-CAM", description = "Grad-CAM, Grad-CAM++, XGrad-CAM, LayerCAM, HiResCAM, Eigen-CAM,"
            + " Score-CAM or Smooth Grad-CAM++", choices = {"gradcam", "gradcampp", "xgradcam", "layercam", "hirescam",
            "eigencam", "scorecam", "smoothgradcampp"})
    private String variant = "gradcam";

    @Parameter(label = "Guided Grad-CAM too (a second window)")
    private boolean guided;

    @Parameter(label = "Batch size (Score-CAM only; 0: automatic): masked images per model run", min = "0")
    private int batch = org.cnnexplain.explain.ScoreCam.DEFAULT_BATCH;

    @Parameter(label = "Samples: noisy copies for Smooth Grad-CAM++", min = "1")
    private int samples = 8;

    @Parameter(label = "SmoothGrad noisy copies (0 = off)", min = "0")
    private int smoothgrad;

    @Parameter(label = "Noise (σ as a fraction of the input's range)", min = "0", stepSize = "0.05")
    private double noise = 0.15;

    @Parameter(label = "Augment: average over flips and 90° turns")
    private boolean augment;

    @Parameter(label = "Eigensmooth (first principal component)")
    private boolean eigensmooth;

    @Parameter(label = "Seed of the random noise")
    private int seed;

    @Override
    protected ExplainRequest request() {
        ExplainRequest d = ExplainRequest.defaults(ExplainRequest.Method.GRADCAM);
        return new ExplainRequest(d.method(), layer, target, score, variant, guided, d.rule(), null, 0, d.signal(),
                d.sort(), batch).withSmoothing(new Smoothing(samples, smoothgrad, noise, augment, eigensmooth, seed));
    }

    @Override
    protected String title() {
        return "Grad-CAM";
    }
}
