package org.cnnexplain.cli;

import ij.ImagePlus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.cnnexplain.UserError;
import org.cnnexplain.atlas.Atlas;
import org.cnnexplain.atlas.AtlasBuilder;
import org.cnnexplain.atlas.AtlasFigures;
import org.cnnexplain.atlas.AtlasInput;
import org.cnnexplain.atlas.AtlasTables;
import org.cnnexplain.explain.Backprop;
import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.model.ExplainableModel;

/**
 * {@code atlas}: the neuron atlas and class → channel importance of a layer over a folder (or one file's
 * planes), with the same {@link AtlasBuilder} as Plugins › CNN Explain › Neuron Atlas. Writes into
 * {@code --output}: {@code atlas.png} (the montage), {@code atlas.tif} (the montage as a stack, one labelled
 * slice per channel), {@code atlas.csv}, {@code atlas_classes.csv}, and unless {@code --no-importance}
 * {@code importance.csv} and {@code importance.png}; prints one line per channel (its class distribution)
 * and a summary on stdout, progress on stderr.
 *
 * <pre>
 * ./cnn-explain atlas --model demo.onnx --input test-images/demo --layer block4 --output atlas --top 9 --first 16
 * ch 0: 9/9 speckled
 * ...
 * 15 of 16 channels of /block4/block4.2/Relu have >= 80 % of their top-9 neurons in images of one predicted class (60 samples)
 * </pre>
 */
final class AtlasCommand {

    static final Set<String> OPTIONS = Set.of("model", "input", "output", "layer", "top", "channels", "first", "rule",
            "normalize", "device", "fit");
    static final Set<String> FLAGS = Set.of("all-positions", "no-importance", "overwrite", "quiet");
    static final List<String> FILES = List.of("atlas.png", "atlas.tif", "atlas.csv", "atlas_classes.csv",
            "importance.csv", "importance.png");

    private AtlasCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = new Args("atlas", argv, OPTIONS, FLAGS);
        if (args.get("channels", null) != null && args.get("first", null) != null) {
            throw new UserError("give --channels or --first, not both");
        }
        int[] channels = args.get("channels", null) == null ? null : ExplainRequest.parseChannels(args.get("channels", ""));
        int top = integer(args.get("top", "9"), "top");
        int first = integer(args.get("first", "0"), "first");
        if (top < 1 || first < 0) {
            throw new UserError(top < 1 ? "--top must be at least 1, got " + top : "--first must be 0 (all) or more");
        }
        Backprop.Rule rule = Backprop.Rule.parse(args.get("rule", "deconvnet"));
        boolean importance = !args.flag("no-importance");
        boolean quiet = args.flag("quiet");
        Path input = Path.of(args.require("input"));
        OutputFiles output = new OutputFiles(Path.of(args.require("output")), args.flag("overwrite"));
        FILES.stream().filter(f -> importance || !f.startsWith("importance")).forEach(output::claim);
        try (SciJavaCommands commands = new SciJavaCommands()) {
            ExplainableModel model = commands.models().get(Path.of(args.require("model")).toFile(),
                    args.get("device", "auto"));
            AtlasInput in = AtlasInput.folder(input, model, args.get("normalize", "model"), args.get("fit", "error"));
            if (!quiet) {
                err.println("cnn-explain: atlas with " + model.path().getFileName() + " on " + model.device() + " over "
                        + in.describe() + ", normalisation " + in.normalization().describe());
            }
            Atlas atlas = new AtlasBuilder(model, new AtlasBuilder.Options(args.get("layer", "auto"), channels, first,
                    top, !args.flag("all-positions"), importance, rule, true)).build(in, listener(err, quiet));
            for (String line : AtlasTables.logLines(atlas)) {
                out.println(line);
            }
            output.png("atlas.png", AtlasFigures.montage(atlas));
            ImagePlus rows = AtlasFigures.rowStack(atlas, "atlas");
            output.tiff("atlas.tif", rows);
            output.text("atlas.csv", AtlasTables.atlasCsv(atlas));
            output.text("atlas_classes.csv", AtlasTables.classesCsv(atlas));
            if (atlas.importance() != null) {
                output.text("importance.csv", AtlasTables.importanceCsv(atlas.importance()));
                output.png("importance.png", AtlasFigures.importanceSheet(
                        AtlasFigures.importancePlots(atlas.importance(), atlas.layer(), 10)));
            }
            return 0;
        }
    }

    /** Progress on stderr per pass: "reading" every image, then "projecting" the ones holding a kept neuron. */
    private static AtlasBuilder.Listener listener(PrintStream err, boolean quiet) {
        return new AtlasBuilder.Listener() {
            private String phase;
            private Progress progress = Progress.NONE;

            @Override
            public void progress(String p, int done, int total) {
                if (!p.equals(phase)) {
                    phase = p;
                    progress = Progress.of(err, total, p.equals("reading") ? "images" : "images revisited", quiet);
                }
                progress.step();
            }

            @Override
            public boolean cancelled() {
                return false;
            }
        };
    }

    private static int integer(String s, String name) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new UserError("--" + name + " must be a whole number, got '" + s + "'");
        }
    }
}
