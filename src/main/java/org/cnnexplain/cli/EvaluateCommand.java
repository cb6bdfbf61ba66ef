package org.cnnexplain.cli;

import ij.ImagePlus;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.Target;
import org.cnnexplain.explain.quality.Evaluation;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.render.QualityReport;

/**
 * {@code evaluate}: scores explanation methods on images with masks of what should matter
 * ({@link Evaluation}: pointing game, energy ratio, deletion / random deletion / insertion AUCs), over
 * one image or a folder, averaged over every image (and plane) whose mask is not empty. {@code --mask}
 * is one mask image for every input, or a folder holding {@code <stem>.png|.tif|.tiff} per image.
 * Prints one tab-separated row per method and writes {@code evaluate.csv} (the mean curves) and
 * {@code evaluate.png} (them as a plot) into {@code --output}.
 *
 * <pre>
 * ./cnn-explain evaluate --model demo.onnx --input test-images/demo --mask test-images/demo/masks --output eval
 * method   images  pointing  energy  deletion_auc  random_deletion_auc  deletion_beats_random  insertion_auc
 * gradcam  45      1.0000    10.13   0.1962        0.5851               1.0000                 ...
 * </pre>
 */
final class EvaluateCommand {

    static final String HEADER = "method\timages\tpointing\tenergy\tdeletion_auc\trandom_deletion_auc"
            + "\tdeletion_beats_random\tinsertion_auc";

    private EvaluateCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = new Args("evaluate", argv, Set.of("model", "input", "mask", "output", "methods", "layer", "target",
                "tolerance", "steps", "normalize", "device"), Set.of("overwrite"));
        List<Path> files = ImageFiles.list(Path.of(args.require("input")));
        Path masks = Path.of(args.require("mask"));
        if (!Files.exists(masks)) {
            throw new UserError("--mask " + masks + " does not exist (a mask image, or a folder of <stem>.png masks)");
        }
        double tolerance = ExplainCommand.parseDouble(args.get("tolerance", "15"), "tolerance");
        int steps = (int) ExplainCommand.parseDouble(args.get("steps", "20"), "steps");
        Evaluation evaluation = new Evaluation(Evaluation.parseMethods(args.get("methods", "all")),
                args.get("layer", "auto"), Target.parse(args.get("target", "top1"), "logit"), tolerance, steps, 7);
        OutputFiles output = new OutputFiles(Path.of(args.require("output")), args.flag("overwrite"));
        output.claim("evaluate.csv");
        output.claim("evaluate.png");
        Normalization.of(args.get("normalize", "model"), null);
        int failed = 0;
        int scored = 0;
        try (SciJavaCommands commands = new SciJavaCommands()) {
            ExplainableModel model = commands.models().get(Path.of(args.require("model")).toFile(),
                    args.get("device", "auto"));
            Normalization norm = Normalization.of(args.get("normalize", "model"), model.spec());
            err.println("cnn-explain: evaluate " + String.join(",", evaluation.methods()) + " with "
                    + model.path().getFileName() + " on " + model.device() + ", normalisation " + norm.describe());
            for (Path file : files) {
                try {
                    boolean[] mask = ImageFiles.mask(maskFor(masks, file));
                    ImagePlus imp = ImageFiles.open(file);
                    if (mask == null || mask.length != imp.getWidth() * imp.getHeight()) {
                        throw new UserError(mask == null ? "no mask " + maskFor(masks, file).getFileName()
                                : "its mask is not " + imp.getWidth() + " x " + imp.getHeight());
                    }
                    for (float[] raw : org.cnnexplain.plugin.EvaluateCommand.rawPlanes(imp, model.inputChannels())) {
                        scored += evaluation.add(model, raw, model.inputChannels(), imp.getHeight(), imp.getWidth(),
                                norm, mask) ? 1 : 0;
                    }
                } catch (UserError e) {
                    if (files.size() == 1) {
                        throw e;
                    }
                    err.println("cnn-explain: skipped " + file.getFileName() + ": " + e.getMessage());
                    failed++;
                }
            }
        }
        if (scored == 0) {
            throw new UserError("no image with a non-empty mask to evaluate");
        }
        List<Evaluation.Scores> results = evaluation.results();
        out.println(HEADER);
        for (Evaluation.Scores s : results) {
            out.println(String.format(Locale.ROOT, "%s\t%d\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%.4f", s.method(), s.images(),
                    s.pointing(), s.energy(), s.deletionAuc(), s.randomAuc(), s.deletionWins(), s.insertionAuc()));
        }
        output.text("evaluate.csv", QualityReport.csv(results));
        output.png("evaluate.png",
                (ij.process.ColorProcessor) QualityReport.plotImage(results, "Evaluate").getProcessor().convertToRGB());
        return failed == 0 ? 0 : 1;
    }

    /** The mask file itself, or {@code <stem>.png|.tif|.tiff} in the mask folder (png when none exists). */
    static Path maskFor(Path masks, Path image) {
        if (!Files.isDirectory(masks)) {
            return masks;
        }
        String stem = ExplainCommand.stem(image);
        for (String ext : List.of(".png", ".tif", ".tiff")) {
            if (Files.isRegularFile(masks.resolve(stem + ext))) {
                return masks.resolve(stem + ext);
            }
        }
        return masks.resolve(stem + ".png");
    }
}
