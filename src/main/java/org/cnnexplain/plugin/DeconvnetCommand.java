package org.cnnexplain.plugin;

import org.cnnexplain.explain.Backprop;
import org.cnnexplain.explain.Deconvnet;
import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.explain.Smoothing;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN Explain › Deconvnet: neurons of a layer projected back to
 * pixels (Zeiler–Fergus), by deconvnet, guided backprop or the plain gradient.
 *
 * <pre>
 * run("Deconvnet", "model=[/data/demo.onnx] layer=block3 rule=guided channels=[] top=8 signal=peak");
 * run("Deconvnet", "model=[/data/demo.onnx] rule=gradient signal=class smoothgrad=16 noise=0.15 seed=0");
 * </pre>
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN Explain>Deconvnet", headless = true)
public class DeconvnetCommand extends ExplainCommandBase {

    @Parameter(label = "Layer: module path, node name, or auto",
            description = "The layer whose neurons are projected back to the image")
    private String layer = "auto";

    @Parameter(label = "Rule: deconvnet, guided backprop, or gradient",
            description = "How ReLUs pass the signal back", choices = {"deconvnet", "guided", "gradient"})
    private String rule = "deconvnet";

    @Parameter(label = "Channels to project, e.g. 0,3,5-8 (empty: the strongest)", required = false)
    private String channels = "";

    @Parameter(label = "Top: how many of the strongest channels", min = "1")
    private int top = 8;

    @Parameter(label = "Signal: each channel's peak neuron, its whole map, or the class score",
            description = "What is projected back", choices = {"peak", "channel", "class"})
    private String signal = "peak";

    @Parameter(label = "Target class (signal=class only)")
    private String target = "top1";

    @Parameter(label = "Score of the target class (signal=class only)", choices = {"logit", "probability"})
    private String score = "logit";

    @Parameter(label = "SmoothGrad noisy copies (0 = off)", min = "0")
    private int smoothgrad;

    @Parameter(label = "Noise (σ as a fraction of the input's range)", min = "0", stepSize = "0.05")
    private double noise = 0.15;

    @Parameter(label = "Augment: average over flips and 90° turns")
    private boolean augment;

    @Parameter(label = "Seed of the random noise")
    private int seed;

    @Override
    protected ExplainRequest request() {
        ExplainRequest d = ExplainRequest.defaults(ExplainRequest.Method.DECONVNET);
        return new ExplainRequest(d.method(), layer, target, score, d.variant(), false, Backprop.Rule.parse(rule),
                ExplainRequest.parseChannels(channels), top, Deconvnet.Signal.parse(signal), d.sort(), d.batch())
                .withSmoothing(new Smoothing(Smoothing.NONE.samples(), smoothgrad, noise, augment, false, seed));
    }

    @Override
    protected String title() {
        return "Deconvnet";
    }
}
