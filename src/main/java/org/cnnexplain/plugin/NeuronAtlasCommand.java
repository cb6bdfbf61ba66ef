package org.cnnexplain.plugin;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;
import java.io.File;
import org.cnnexplain.UserError;
import org.cnnexplain.atlas.Atlas;
import org.cnnexplain.atlas.AtlasBuilder;
import org.cnnexplain.atlas.AtlasFigures;
import org.cnnexplain.atlas.AtlasInput;
import org.cnnexplain.atlas.AtlasTables;
import org.cnnexplain.atlas.Importance;
import org.cnnexplain.explain.Backprop;
import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.model.ExplainableModel;
import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN Explain › Neuron Atlas: what each channel of a layer responds to over a whole folder (or
 * the planes of the open stack), as Zeiler and Fergus showed it — per channel its K strongest neurons, each
 * as the image patch it sees beside its deconvnet projection — and which channels matter for which class
 * (mean Grad-CAM weight over the images predicted as that class). {@link AtlasBuilder} does the work in one
 * streaming pass (plus a revisit of the images holding a kept neuron); Esc or cancel stops it.
 *
 * <pre>
 * run("Neuron Atlas", "model=[/data/demo.onnx] folder=[/data/cells] layer=block4 top=9 channels=[] first=16 distinct importance");
 * </pre>
 * Outputs: the montage (one row per channel), the importance plots (one slice per class), a Results table
 * of the importance (class, channel, Grad-CAM and CAM weight, mean activation) and a table "Neuron Atlas" of
 * the kept neurons with their receptive fields; the Log gets each channel's class distribution.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN Explain>Neuron Atlas", headless = true)
public class NeuronAtlasCommand extends CnnCommand {

    @Parameter(label = "Folder of images (empty: the planes of the open image)", style = "directory",
            required = false, persist = false,
            description = "Every image file in it, sorted by name; every z/t plane of a file is one sample")
    private File folder;

    @Parameter(label = "Layer (name, module path, or auto)")
    private String layer = "auto";

    @Parameter(label = "Channels: 0-based list like 0,3,5-8 (empty: all, or the first N)", required = false)
    private String channels = "";

    @Parameter(label = "Top: neurons per channel", min = "1")
    private int top = 9;

    @Parameter(label = "First: with no channel list, the first N channels (0 = all)", min = "0")
    private int first = 0;

    @Parameter(label = "Distinct: at most one neuron per image and channel",
            description = "On: each channel's strongest position in each image competes (one patch per image, as"
                    + " Zeiler and Fergus show them); off: every position competes")
    private boolean distinct = true;

    @Parameter(label = "Rule of the projections", choices = {"deconvnet", "guided", "gradient"})
    private String rule = "deconvnet";

    @Parameter(label = "Importance: class-channel importance (one backward pass per image)")
    private boolean importance = true;

    @Parameter(label = "Atlas", type = ItemIO.OUTPUT)
    private ImagePlus montage;

    @Parameter(label = "Importance plots", type = ItemIO.OUTPUT, required = false)
    private ImagePlus plot;

    @Parameter(label = "Importance table", type = ItemIO.OUTPUT, required = false)
    private ResultsTable table;

    @Parameter(label = "Atlas table", type = ItemIO.OUTPUT, required = false)
    private ResultsTable neurons;

    @Parameter(required = false)
    private StatusService status;

    /** No image is needed when a folder is given. */
    @Override
    protected boolean needsImage() {
        return false;
    }

    @Override
    protected String title() {
        return "Neuron Atlas";
    }

    @Override
    protected void compute() {
        if (model == null) {
            throw new UserError("no model file chosen");
        }
        ExplainableModel m = models.get(model, device);
        AtlasInput input;
        if (folder != null && !folder.getPath().isBlank()) {
            if (!folder.isDirectory()) {
                throw new UserError("folder not found: " + folder);
            }
            input = AtlasInput.folder(folder.toPath(), m, normalize, fit);
        } else if (image != null) {
            input = AtlasInput.stack(image, m, normalize, fit);
        } else {
            throw new UserError("give a folder of images (folder=...) or open an image or stack");
        }
        int[] list = channels == null || channels.isBlank() ? null : ExplainRequest.parseChannels(channels);
        AtlasBuilder builder = new AtlasBuilder(m, new AtlasBuilder.Options(layer, list, first, top, distinct,
                importance, Backprop.Rule.parse(rule), true));
        Atlas atlas = builder.build(input, new AtlasBuilder.Listener() {
            @Override
            public void progress(String phase, int done, int total) {
                if (status != null) {
                    status.showStatus(done, total, "Neuron Atlas: " + phase + " " + done + "/" + total);
                }
            }

            @Override
            public boolean cancelled() {
                if (IJ.escapePressed()) {
                    cancel("Neuron Atlas: cancelled (Esc)");
                }
                return isCanceled();
            }
        });
        if (atlas == null) {
            return;
        }
        if (status != null) {
            status.clearStatus();
        }
        String name = atlas.layer();
        montage = new ImagePlus("Neuron Atlas – " + name, AtlasFigures.montage(atlas));
        neurons = neuronTable(atlas);
        for (String line : AtlasTables.logLines(atlas)) {
            IJ.log("Neuron Atlas: " + line);
        }
        if (atlas.importance() != null) {
            table = importanceTable(atlas.importance());
            plot = AtlasFigures.importanceStack(AtlasFigures.importancePlots(atlas.importance(), name, 10),
                    "Class-channel importance – " + name);
            if (!java.awt.GraphicsEnvironment.isHeadless()) {
                // the system Results table: what macros read with getResult("Grad-CAM weight", row)
                ij.plugin.filter.Analyzer.setResultsTable(table);
                table.show("Results");
            }
        }
        if (!java.awt.GraphicsEnvironment.isHeadless()) {
            neurons.show("Neuron Atlas");
        }
        log.info("cnn-explain: Neuron Atlas of " + name + " over " + input.describe() + " with " + model.getName()
                + " on " + m.device());
    }

    static ResultsTable importanceTable(Importance imp) {
        ResultsTable t = new ResultsTable();
        for (Importance.Row r : imp.rows()) {
            t.incrementCounter();
            t.addValue("Class", r.className());
            t.addValue("Channel", r.channel());
            t.addValue("Images", r.samples());
            t.addValue("Grad-CAM weight", r.gradcam());
            t.addValue("CAM weight", r.cam());
            t.addValue("Mean activation", r.activation());
        }
        return t;
    }

    static ResultsTable neuronTable(Atlas atlas) {
        ResultsTable t = new ResultsTable();
        for (Atlas.Row row : atlas.rows()) {
            for (int r = 0; r < row.cells().size(); r++) {
                Atlas.Cell c = row.cells().get(r);
                t.incrementCounter();
                t.addValue("Channel", row.channel());
                t.addValue("Rank", r + 1);
                t.addValue("Image", c.image());
                t.addValue("Slice", c.slice());
                t.addValue("X", c.neuron().x());
                t.addValue("Y", c.neuron().y());
                t.addValue("Activation", c.neuron().activation());
                t.addValue("Class", atlas.classes().get(c.neuron().predicted()));
                t.addValue("RF x0", c.box().x0());
                t.addValue("RF y0", c.box().y0());
                t.addValue("RF x1", c.box().x1());
                t.addValue("RF y1", c.box().y1());
            }
        }
        return t;
    }
}
