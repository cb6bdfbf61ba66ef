package org.cnnexplain.plugin;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.cnnexplain.UserError;
import org.cnnexplain.image.ImageFolder;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.rules.ActivationPass;
import org.cnnexplain.rules.AtlasRows;
import org.cnnexplain.rules.Cart;
import org.cnnexplain.rules.Pooling;
import org.cnnexplain.rules.RuleReport;
import org.cnnexplain.rules.Rules;
import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN Explain › Rules: what the classifier looks at over a whole folder, as rules a
 * biologist can read. Every image of {@code folder} goes through the model once; per image (and
 * plane) only the model's predicted class and the globally pooled activation (max or mean) of every
 * channel of {@code layer} are kept. A shallow decision tree ({@link Cart}) fitted to predict the
 * model's own class from them is printed as rules in the Log window, with its fidelity (agreement
 * with the model) on the folder and held out (k-fold), and, when an atlas folder is given, the
 * atlas rows of each channel a rule uses. With {@code output} it writes {@code rules.txt},
 * {@code rules.json} and {@code rules.csv} there.
 *
 * <pre>
 * run("Rules", "folder=[/data/cells] model=[/data/demo.onnx] layer=block4 pool=max depth=3 minleaf=5 output=[/data/rules]");
 * </pre>
 * No image needs to be open. Progress shows in the status bar; Esc (or cancelling the task) stops
 * the pass and writes nothing.
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN Explain>Rules", headless = true)
public class RulesCommand extends CnnCommand {

    @Parameter(label = "Folder of images to fit the rules on (TIFF, PNG, JPEG)", style = "directory")
    private File folder;

    @Parameter(label = "Layer whose channels the rules use (name, module path, or auto)")
    private String layer = "auto";

    @Parameter(label = "Pool each channel's map to one number per image: max or mean", choices = {"max", "mean"})
    private String pool = "max";

    @Parameter(label = "Depth of the tree: conditions per rule at most", min = "1", max = "8")
    private int depth = 3;

    @Parameter(label = "Minleaf: fewest images a rule may cover", min = "1")
    private int minleaf = 5;

    @Parameter(label = "Alpha: pruning, the share of images a rule must set right to be kept (0: cut only useless splits)",
            min = "0")
    private double alpha = 0;

    @Parameter(label = "Folds of the held-out check (k-fold cross-validation)", min = "2")
    private int folds = 5;

    @Parameter(label = "Seed of the held-out folds' shuffle")
    private int seed = 0;

    @Parameter(label = "Atlas folder (with atlas.csv from Neuron Atlas; empty: none)", style = "directory",
            required = false, persist = false)
    private File atlas;

    @Parameter(label = "Output folder for rules.txt, rules.json, rules.csv (empty: the Log window only)",
            style = "directory", required = false, persist = false)
    private File output;

    @Parameter(label = "Overwrite rules.txt, rules.json and rules.csv already in the output folder")
    private boolean overwrite;

    @Parameter(label = "Rules", type = ItemIO.OUTPUT)
    private String rules;

    @Parameter(label = "Rules table", type = ItemIO.OUTPUT)
    private ResultsTable table;

    @Parameter(label = "Skipped images (one line each: file: reason)", type = ItemIO.OUTPUT)
    private String skipped = "";

    @Parameter(required = false)
    private StatusService status;


    @Override
    protected String title() {
        return "Rules";
    }

    /** The folder replaces the open image: nothing needs to be open. */
    @Override
    protected boolean needsImage() {
        return false;
    }

    /** Without an image the dialog does not ask for one. */
    @Override
    public void initialize() throws org.scijava.module.MethodCallException {
        super.initialize();
        resolveInput("image");
    }

    @Override
    protected void compute() {
        Pooling pooling = Pooling.parse(pool);
        Cart.Params params = new Cart.Params(depth, minleaf, alpha);
        if (folder == null) {
            throw new UserError("no folder of images chosen");
        }
        List<Path> files = ImageFolder.list(folder.toPath());
        if (output != null) {
            checkOutput(output.toPath());
        }
        ExplainableModel m = loadModelFile();
        ActivationPass pass = new ActivationPass(m, layer, pooling);
        AtlasRows atlasRows = atlas == null ? null
                : AtlasRows.read(atlas.toPath(), List.of(layer, pass.layer().name(), pass.layer().output()));
        StringBuilder skips = new StringBuilder();
        for (int i = 0; i < files.size(); i++) {
            if (cancelled()) {
                return;
            }
            progress(i, files.size());
            Path f = files.get(i);
            try {
                ImagePlus imp = ImageFolder.open(f);
                pass.add(f.getFileName().toString(), batchFor(m, imp));
            } catch (UserError e) {
                if (files.size() == 1) {
                    throw e;
                }
                log.warn("Rules: skipped " + f.getFileName() + ": " + e.getMessage());
                skips.append(f.getFileName()).append(": ").append(e.getMessage()).append('\n');
            }
        }
        progress(files.size(), files.size());
        String shown = layer == null || layer.isBlank() || layer.trim().equalsIgnoreCase("auto") ? pass.layer().name()
                : layer.trim();
        RuleReport.Setting setting = new RuleReport.Setting(model.getName(), shown, pass.layer().name(), pooling,
                m.classNames(), params, folds, seed);
        Rules fitted = Rules.fit(pass.table(), m.classNames().size(), params, folds, seed);
        RuleReport report = new RuleReport(setting, fitted, pass.table(), atlasRows);
        skipped = skips.toString();
        long nSkipped = skipped.lines().count();
        rules = report.text() + (nSkipped > 0 ? nSkipped + " image(s) could not be read and were skipped:\n" + skipped : "");
        table = table(report);
        if (output != null) {
            write(output.toPath(), "rules.txt", rules);
            write(output.toPath(), "rules.json", report.jsonText());
            write(output.toPath(), "rules.csv", report.csv());
        }
        if (!java.awt.GraphicsEnvironment.isHeadless()) {
            IJ.log(rules);
            table.show("Rules");
        }
        log.info("cnn-explain: Rules of " + model.getName() + " over " + pass.table().size() + " images on " + m.device());
    }

    /** A Results table with one row per rule, for macros ({@code Table.get("Fidelity", 0, "Rules")}). */
    private static ResultsTable table(RuleReport report) {
        ResultsTable t = new ResultsTable();
        com.google.gson.JsonArray list = report.json().getAsJsonArray("rules");
        for (int i = 0; i < list.size(); i++) {
            com.google.gson.JsonObject r = list.get(i).getAsJsonObject();
            t.incrementCounter();
            t.addValue("Rule", r.get("rule").getAsInt());
            t.addValue("Class", r.get("class").getAsString());
            t.addValue("Images", r.get("images").getAsInt());
            t.addValue("Coverage", r.get("coverage").getAsDouble());
            t.addValue("Fidelity", r.get("fidelity").getAsDouble());
            t.addValue("Text", r.get("text").getAsString());
        }
        return t;
    }

    /** Cancelled by the task (Fiji, the CLI, a test) or by Esc in ImageJ. */
    private boolean cancelled() {
        if (!isCanceled() && !java.awt.GraphicsEnvironment.isHeadless() && IJ.escapePressed()) {
            IJ.resetEscape();
            cancel("Rules: cancelled (Esc)");
        }
        return isCanceled();
    }

    /** To SciJava's status (Fiji, the CLI's progress line) and, in plain ImageJ 1 (no status service), its bar. */
    private void progress(int done, int total) {
        String message = "Rules: " + done + "/" + total + " images";
        if (status != null) {
            status.showStatus(done, total, message);
        } else if (!java.awt.GraphicsEnvironment.isHeadless()) {
            IJ.showStatus(message);
            IJ.showProgress(done, total);
        }
    }

    /** Refuses to overwrite earlier rules unless asked (the CLI's --overwrite); nothing is written before the pass. */
    private void checkOutput(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UserError("output " + dir + " is a file, not a folder");
        }
        if (!overwrite) {
            for (String name : List.of("rules.txt", "rules.json", "rules.csv")) {
                if (Files.exists(dir.resolve(name))) {
                    throw new UserError(dir.resolve(name) + " exists (choose another output folder, or --overwrite)");
                }
            }
        }
    }

    /** Written under a temporary name and moved into place: an interrupted run leaves no half-written file. */
    private static void write(Path dir, String name, String text) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + name, ".part");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UserError("cannot write " + dir.resolve(name) + ": " + e.getMessage());
        }
    }
}
