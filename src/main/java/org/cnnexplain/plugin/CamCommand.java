package org.cnnexplain.plugin;

import org.cnnexplain.explain.ExplainRequest;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN Explain › CAM: class activation map of a net that ends in
 * global average pooling and one linear layer.
 *
 * <pre>
 * run("CAM", "model=[/data/demo.onnx] target=top1 lut=viridis opacity=0.4");
 * </pre>
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN Explain>CAM", headless = true)
public class CamCommand extends HeatmapCommandBase {

    @Parameter(label = "Target class: index, name, or top1 (the predicted one)",
            description = "The class whose evidence the map shows")
    private String target = "top1";

    @Parameter(label = "Score of the target class", choices = {"logit", "probability"},
            description = "Explain the raw score (logit) or the softmax probability")
    private String score = "logit";

    @Override
    protected ExplainRequest request() {
        ExplainRequest d = ExplainRequest.defaults(ExplainRequest.Method.CAM);
        return new ExplainRequest(d.method(), d.layer(), target, score, d.variant(), false, d.rule(), null, 0,
                d.signal(), d.sort(), d.batch());
    }

    @Override
    protected String title() {
        return "CAM";
    }
}
