package org.cnnexplain.plugin;

import org.cnnexplain.explain.ExplainRequest;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN Explain › Grad-CAM: the Grad-CAM family on the current image.
 *
 * <pre>
 * run("Grad-CAM", "model=[/data/demo.onnx] layer=block4 target=mitotic variant=gradcam lut=inferno opacity=0.5");
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

    @Parameter(label = "Variant of Grad-CAM", description = "Grad-CAM, Grad-CAM++, XGrad-CAM, LayerCAM, HiResCAM, Eigen-CAM or Score-CAM",
            choices = {"gradcam", "gradcampp", "xgradcam", "layercam", "hirescam", "eigencam",
            "scorecam"})
    private String variant = "gradcam";

    @Parameter(label = "Guided Grad-CAM too (a second window)")
    private boolean guided;

    @Parameter(label = "Batch size (Score-CAM only; 0: automatic): masked images per model run", min = "0")
    private int batch = org.cnnexplain.explain.ScoreCam.DEFAULT_BATCH;

    @Override
    protected ExplainRequest request() {
        ExplainRequest d = ExplainRequest.defaults(ExplainRequest.Method.GRADCAM);
        return new ExplainRequest(d.method(), layer, target, score, variant, guided, d.rule(), null, 0, d.signal(),
                d.sort(), batch);
    }

    @Override
    protected String title() {
        return "Grad-CAM";
    }
}
