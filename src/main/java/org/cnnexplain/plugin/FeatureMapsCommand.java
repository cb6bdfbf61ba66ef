package org.cnnexplain.plugin;

import ij.ImagePlus;
import ij.plugin.MontageMaker;
import org.cnnexplain.explain.ExplainRequest;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN Explain › Feature Maps: a layer's activations, one slice per
 * channel, plus a montage.
 *
 * <pre>
 * run("Feature Maps", "model=[/data/demo.onnx] layer=block2 channels=[] sort=max top=16");
 * </pre>
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN Explain>Feature Maps", headless = true)
public class FeatureMapsCommand extends ExplainCommandBase {

    @Parameter(label = "Layer: module path, node name, or auto",
            description = "The layer whose activations are shown, one slice per channel")
    private String layer = "auto";

    @Parameter(label = "Channels to show, e.g. 0,3,5-8 (empty: all)", required = false)
    private String channels = "";

    @Parameter(label = "Sort channels by", choices = {"none", "mean", "max"})
    private String sort = "none";

    @Parameter(label = "Top: keep the first, after sorting (0 = all)", min = "0")
    private int top;

    @Parameter(label = "Montage", type = ItemIO.OUTPUT)
    private ImagePlus montage;

    @Override
    protected ExplainRequest request() {
        ExplainRequest d = ExplainRequest.defaults(ExplainRequest.Method.FEATUREMAPS);
        return new ExplainRequest(d.method(), layer, d.target(), d.score(), d.variant(), false, d.rule(),
                ExplainRequest.parseChannels(channels), top, d.signal(), sort, d.batch());
    }

    @Override
    protected String title() {
        return "Feature Maps";
    }

    @Override
    public void run() {
        super.run();
        if (result != null && result.getStackSize() > 1) {
            int n = result.getStackSize();
            int columns = (int) Math.ceil(Math.sqrt(n));
            int rows = (int) Math.ceil(n / (double) columns);
            montage = new MontageMaker().makeMontage2(result, columns, rows, 1.0, 1, n, 1, 1, false);
            montage.setTitle(result.getTitle() + " montage");
        }
    }
}
