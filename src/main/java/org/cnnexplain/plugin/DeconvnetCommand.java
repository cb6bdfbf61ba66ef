package org.cnnexplain.plugin;

import org.cnnexplain.explain.Backprop;
import org.cnnexplain.explain.Deconvnet;
import org.cnnexplain.explain.ExplainRequest;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN Explain › Deconvnet: neurons of a layer projected back to
 * pixels (Zeiler–Fergus), by deconvnet, guided backprop or the plain gradient.
 *
 * <pre>
 * run("Deconvnet", "model=[/data/demo.onnx] layer=block3 rule=guided channels=[] top=8 signal=peak");
 * </pre>
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN Explain>Deconvnet", headless = true)
public class DeconvnetCommand extends ExplainCommandBase {

    @Parameter(label = "Layer (name, module path, or auto)")
    private String layer = "auto";

    @Parameter(label = "Rule", choices = {"deconvnet", "guided", "gradient"})
    private String rule = "deconvnet";

    @Parameter(label = "Channels (e.g. 0,3,5-8; empty for the strongest)", required = false)
    private String channels = "";

    @Parameter(label = "Strongest channels", min = "1")
    private int top = 8;

    @Parameter(label = "Signal", choices = {"peak", "channel", "class"})
    private String signal = "peak";

    @Parameter(label = "Target class (for signal=class)")
    private String target = "top1";

    @Parameter(label = "Score", choices = {"logit", "probability"})
    private String score = "logit";

    @Override
    protected ExplainRequest request() {
        ExplainRequest d = ExplainRequest.defaults(ExplainRequest.Method.DECONVNET);
        return new ExplainRequest(d.method(), layer, target, score, d.variant(), false, Backprop.Rule.parse(rule),
                ExplainRequest.parseChannels(channels), top, Deconvnet.Signal.parse(signal), d.sort(), d.batch());
    }

    @Override
    protected String title() {
        return "Deconvnet";
    }
}
