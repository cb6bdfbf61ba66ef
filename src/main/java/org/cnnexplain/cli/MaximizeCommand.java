package org.cnnexplain.cli;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.ResultsTable;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cnnexplain.UserError;
import org.scijava.module.Module;

/**
 * {@code maximize}: activation maximisation from the command line, through the Fiji command of the same
 * parameters ({@link org.cnnexplain.plugin.MaximizeCommand}). {@code --target} maximises classes,
 * {@code --layer} a layer's channels ({@code --channels} or the {@code --top} k), {@code --neuron X,Y}
 * (or {@code centre}) one neuron per channel. {@code --input IMG|DIR} (optional) gives images to compare
 * with and to choose the strongest channels on: a folder's images become one stack (they must share a size).
 * Writes into {@code --output}: {@code maximize.tif} (model input space, one slice per unit),
 * {@code maximize_raw.tif} (raw intensities, where the normalisation can be undone),
 * {@code maximize_montage.png} and {@code maximize.csv}; prints the table.
 *
 * <pre>
 * ./cnn-explain maximize --model demo.onnx --target all --output am
 * ./cnn-explain maximize --model demo.onnx --layer block4 --top 8 --input test-images/demo --output am4
 * </pre>
 */
final class MaximizeCommand {

    static final Set<String> OPTIONS = Set.of("model", "target", "layer", "channels", "top", "neuron", "output",
            "input", "steps", "rate", "seed", "range", "jitter", "scaling", "rotation", "decay", "tv", "blur",
            "blurevery", "normalize", "device", "fit");
    static final Set<String> FLAGS = Set.of("overwrite", "quiet", "pixels");

    private MaximizeCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = new Args("maximize", argv, OPTIONS, FLAGS);
        boolean byClass = args.get("target", null) != null;
        if (byClass == (args.get("layer", null) != null)) {
            throw new UserError("maximize: give either --target CLASS|all (class scores) or --layer L (its channels)");
        }
        if (byClass && (args.get("neuron", null) != null || args.get("channels", null) != null)) {
            throw new UserError("maximize: --neuron and --channels go with --layer, not --target");
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (String o : OPTIONS) {
            if (!Set.of("output", "input").contains(o) && args.get(o, null) != null) {
                options.put(o, args.get(o, null));
            }
        }
        options.put("pixels", Boolean.toString(args.flag("pixels")));
        options.put("objective", byClass ? "class" : args.get("neuron", null) != null ? "neuron" : "channel");
        if (options.containsKey("neuron") && options.get("neuron").trim().matches("(?i)cent(re|er)")) {
            options.put("neuron", "");
        }
        OutputFiles output = new OutputFiles(Path.of(args.require("output")), args.flag("overwrite"));
        for (String f : List.of("maximize.tif", "maximize_montage.png", "maximize.csv")) {
            output.claim(f);
        }
        ImagePlus images = args.get("input", null) == null ? null : stack(Path.of(args.get("input", null)));
        try (SciJavaCommands commands = new SciJavaCommands()) {
            if (!args.flag("quiet")) {
                err.println("cnn-explain: maximize " + options.get("objective") + (byClass ? " " + args.get("target", "")
                        : " of " + args.get("layer", "")) + " with " + Path.of(args.require("model")).getFileName());
            }
            options.put("model", args.require("model"));
            Module m = commands.run(org.cnnexplain.plugin.MaximizeCommand.class, images, options);
            output.tiff("maximize.tif", (ImagePlus) m.getOutput("result"));
            if (m.getOutput("raw") instanceof ImagePlus raw) {
                output.tiff("maximize_raw.tif", raw);
            } else if (!args.flag("quiet")) {
                err.println("cnn-explain: no maximize_raw.tif: the normalisation cannot be undone without images"
                        + " (give --input) or is not a linear scaling");
            }
            output.png("maximize_montage.png",
                    (ij.process.ColorProcessor) ((ImagePlus) m.getOutput("montage")).getProcessor());
            ResultsTable t = (ResultsTable) m.getOutput("table");
            output.text("maximize.csv", csv(t));
            out.print(csv(t).replace(',', '\t'));
        }
        return 0;
    }

    /** The table as CSV (unit names have no commas). */
    static String csv(ResultsTable t) {
        String[] columns = {"unit", "kind", "layer", "index", "objective", "activation", "probability", "image max"};
        StringBuilder b = new StringBuilder(String.join(",", columns).replace(' ', '_')).append('\n');
        for (int row = 0; row < t.size(); row++) {
            for (int c = 0; c < columns.length; c++) {
                String v = c < 3 ? t.getStringValue(columns[c], row)
                        : c == 3 ? Integer.toString((int) t.getValue(columns[c], row))
                        : format(t.getValue(columns[c], row));
                b.append(c == 0 ? "" : ",").append(v);
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static String format(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.5g", v);
    }

    /** One image, or a folder's images as one stack (one plane each, or each image's planes in turn). */
    private static ImagePlus stack(Path input) {
        List<Path> files = ImageFiles.list(input);
        if (files.size() == 1) {
            return ImageFiles.open(files.get(0));
        }
        ImageStack st = null;
        for (Path f : files) {
            ImagePlus imp = ImageFiles.open(f);
            if (st == null) {
                st = new ImageStack(imp.getWidth(), imp.getHeight());
            } else if (imp.getWidth() != st.getWidth() || imp.getHeight() != st.getHeight()) {
                throw new UserError("--input: " + f.getFileName() + " is " + imp.getWidth() + " x " + imp.getHeight()
                        + ", the first image " + st.getWidth() + " x " + st.getHeight() + "; give images of one size");
            }
            for (int s = 1; s <= imp.getStackSize(); s++) {
                st.addSlice(f.getFileName().toString(), imp.getStack().getProcessor(s).convertToFloat());
            }
        }
        return new ImagePlus(input.getFileName().toString(), st);
    }
}
