package org.cnnexplain.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import ij.ImagePlus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.cnnexplain.UserError;
import ij.measure.ResultsTable;
import java.util.Map;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.model.ExplainableModel;
import org.scijava.module.Module;

/**
 * {@code predict}: one JSON object per line per image and slice, e.g.
 * <pre>
 * {"image":"cell_000.tif","slice":1,"scores":[-3.1,0.2,5.7],"probabilities":[0.0001,0.0038,0.9961],
 *  "top1":{"index":2,"name":"speckled","probability":0.9961}}
 * </pre>
 * It runs the Fiji command Predict on each image. In a folder, an image that fails is reported on
 * stderr and skipped; the exit code is then 1. Under a sigmoid activation the line adds
 * {@code "positive"} (every class above 0.5); for a per-pixel model {@code "mean_probabilities"}, and for a
 * binary one (one sigmoid output) {@code "foreground_fraction"} (p &gt; 0.5) and {@code "mean_probability"}.
 * With {@code --output DIR} a per-pixel model's probability maps are written as {@code <stem>_prediction.tif}
 * (one labelled slice per class and plane; a classifier has no maps, so that is an error).
 */
final class PredictCommand {

    static final Set<String> OPTIONS = Set.of("model", "input", "normalize", "device", "fit", "stride", "output");
    static final Set<String> FLAGS = Set.of("quiet", "overwrite");

    private PredictCommand() {
    }

    /** The CLI options under the Predict command's parameter names, with the CLI's defaults; checks the mode. */
    static Map<String, String> options(Args args) {
        Map<String, String> options = Map.of("model", args.require("model"), "device", args.get("device", "auto"),
                "normalize", args.get("normalize", "model"), "fit", args.get("fit", "error"), "stride",
                args.get("stride", "0"));
        Normalization.of(options.get("normalize"), null);   // reject an unknown mode before loading anything
        return options;
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = new Args("predict", argv, OPTIONS, FLAGS);
        Path input = Path.of(args.require("input"));
        Map<String, String> options = options(args);
        boolean tiled = options.get("fit").equals("tile");
        try (SciJavaCommands commands = new SciJavaCommands()) {
            ExplainableModel model = commands.models().get(Path.of(options.get("model")).toFile(), options.get("device"));
            OutputFiles output = null;
            if (args.get("output", null) != null) {
                if (!model.hasSpatialOutput() && !tiled) {
                    throw new UserError("predict --output writes per-pixel output maps; " + model.path().getFileName()
                            + " classifies whole images (its scores are on stdout)");
                }
                output = new OutputFiles(Path.of(args.get("output", null)), args.flag("overwrite"));
            }
            if (!args.flag("quiet")) {
                err.println("cnn-explain: model " + model.path().getFileName() + " on " + model.device()
                        + ", normalisation " + Normalization.of(options.get("normalize"), model.spec()).describe());
            }
            List<Path> files = ImageFiles.list(input);
            Progress progress = Progress.of(err, files.size(), "images", args.flag("quiet"));
            if (tiled) {
                commands.onTiles(err, args.flag("quiet"), files.size() == 1);
            }
            int failed = 0;
            for (Path file : files) {
                try {
                    ResultsTable t = predictFile(commands, options, file, output, null);
                    for (int r = 0; r < t.size(); r++) {
                        out.println(toJson(file.getFileName().toString(), t, r, model.classNames()));
                    }
                } catch (UserError e) {
                    if (files.size() == 1) {
                        throw e;
                    }
                    progress.interrupt();
                    err.println("cnn-explain: skipped " + file.getFileName() + ": " + e.getMessage());
                    failed++;
                }
                progress.step();
            }
            return failed == 0 ? 0 : 1;
        }
    }

    /**
     * Predicts one file: the Predict command's table, one row per plane; with {@code output} a per-pixel
     * model's probability maps are written as {@code <stem>_prediction.tif}, a tiled classifier's class map
     * as {@code <stem>_classmap.tif} (the name added to {@code written}).
     */
    static ResultsTable predictFile(SciJavaCommands commands, Map<String, String> options, Path file,
                                    OutputFiles output, List<String> written) {
        ImagePlus imp = ImageFiles.open(file);
        Module m = commands.run(org.cnnexplain.plugin.PredictCommand.class, imp, options);
        if (output != null) {
            String name = m.getOutput("classmap") instanceof ImagePlus classes
                    ? output.tiff(ExplainCommand.stem(file) + "_classmap.tif", classes)
                    : output.tiff(ExplainCommand.stem(file) + "_prediction.tif", (ImagePlus) m.getOutput("probabilities"));
            if (written != null) {
                written.add(name);
            }
        }
        return (ResultsTable) m.getOutput("table");
    }

    /** Row {@code r} of the Predict command's table as the CLI's JSON line. */
    static JsonObject toJson(String image, ResultsTable t, int r, List<String> classes) {
        float[] scores = new float[classes.size()];
        float[] probs = new float[classes.size()];
        boolean scored = t.columnExists("score(" + classes.get(0) + ")");   // fit=tile rows have none
        for (int k = 0; k < classes.size(); k++) {
            scores[k] = scored ? (float) t.getValue("score(" + classes.get(k) + ")", r) : Float.NaN;
            probs[k] = (float) t.getValue("p(" + classes.get(k) + ")", r);
        }
        int top = (int) t.getValue("Index", r);
        JsonObject o = new JsonObject();
        o.addProperty("image", image);
        o.addProperty("slice", (int) t.getValue("Slice", r));
        if (scored) {
            o.add("scores", array(scores));
        }
        o.add("probabilities", array(probs));
        JsonObject top1 = new JsonObject();
        top1.addProperty("index", top);
        top1.addProperty("name", classes.get(top));
        top1.addProperty("probability", probs[top]);
        o.add("top1", top1);
        if (t.columnExists("Tiles")) {   // fit=tile: probabilities are the tiles' means, top1 the class on most tiles
            o.addProperty("tiles", (int) t.getValue("Tiles", r));
            JsonArray votes = new JsonArray();
            for (String c : classes) {
                votes.add((int) t.getValue("tiles(" + c + ")", r));
            }
            o.add("tiles_per_class", votes);
        }
        if (t.columnExists("Positive")) {
            JsonArray positive = new JsonArray();
            for (String name : t.getStringValue("Positive", r).split(";")) {
                if (!name.isEmpty()) {
                    positive.add(name);
                }
            }
            o.add("positive", positive);
        }
        if (t.columnExists("Foreground")) {
            o.addProperty("foreground_fraction", (float) t.getValue("Foreground", r));
            o.addProperty("mean_probability", (float) t.getValue("Mean probability", r));
        }
        if (t.columnExists("mean p(" + classes.get(0) + ")")) {
            float[] mean = new float[classes.size()];
            for (int k = 0; k < classes.size(); k++) {
                mean[k] = (float) t.getValue("mean p(" + classes.get(k) + ")", r);
            }
            o.add("mean_probabilities", array(mean));
        }
        return o;
    }

    private static JsonArray array(float[] v) {
        JsonArray a = new JsonArray();
        for (float f : v) {
            a.add(f);
        }
        return a;
    }
}
