package org.cnnexplain.cli;

import ij.ImagePlus;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.cnnexplain.UserError;
import ij.measure.ResultsTable;
import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.explain.Localization;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.plugin.PredictCommand;

/**
 * {@code demo}: the main job on the bundled demo. Classifies every image in
 * {@code test-images/demo/} with {@code test-images/models/demo.onnx}, prints the
 * accuracy against {@code labels.csv}, writes Grad-CAM and CAM for every image and
 * Feature Maps and Deconvnet for the first image of each class into
 * {@code ./demo-output/} (replaced on each run), and prints how often Grad-CAM's
 * peak falls on the class-defining object (pointing game, 15 px tolerance). {@code summary.png}
 * shows every image beside its Grad-CAM overlay, labelled with prediction and truth, and
 * {@code summary.html} links each image's files.
 */
final class DemoCommand {

    static final double TOLERANCE_PX = 15;

    private DemoCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = new Args("demo", argv, Set.of("device", "output"), Set.of("quiet"));
        Path home = Path.of(System.getProperty("cnnexplain.home", "."));
        Path images = home.resolve("test-images/demo");
        Map<String, String> labels = readLabels(images.resolve("labels.csv"));
        OutputFiles output = new OutputFiles(Path.of(args.get("output", "demo-output")), true);
        Path modelFile = home.resolve("test-images/models/demo.onnx");
        Map<String, String> options = new java.util.LinkedHashMap<>(Map.of("model", modelFile.toString(),
                "device", args.get("device", "auto"), "normalize", "model", "layer", "auto", "target", "top1",
                "lut", "inferno", "opacity", "0.5", "layerres", "true"));
        PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
        try (SciJavaCommands commands = new SciJavaCommands()) {
            ExplainableModel model = commands.models().get(modelFile.toFile(), options.get("device"));
            err.println("cnn-explain: demo model on " + model.device() + ", normalisation "
                    + Normalization.of("model", model.spec()).describe() + "; explanations go to " + output.dir());
            int correct = 0;
            int total = 0;
            int hits = 0;
            int located = 0;
            double energy = 0;
            Map<String, int[]> perClass = new TreeMap<>();
            Set<String> firstOfClass = new HashSet<>();
            List<Path> inputs = ImageFiles.list(images).stream()
                    .filter(f -> labels.containsKey(f.getFileName().toString())).toList();
            Summary summary = new Summary(output, "cnn-explain demo: Grad-CAM of " + inputs.size() + " images");
            Progress progress = Progress.of(err, inputs.size(), "images", args.flag("quiet"));
            Progress none = Progress.NONE;
            for (Path file : inputs) {
                String truth = labels.get(file.getFileName().toString());
                ImagePlus imp = ImageFiles.open(file);
                ResultsTable t = (ResultsTable) commands.run(PredictCommand.class, imp, options).getOutput("table");
                String predicted = t.getStringValue("Predicted", 0);
                boolean ok = predicted.equals(truth);
                progress.interrupt();
                out.printf(Locale.ROOT, "%s\ttruth %-10s predicted %-10s p=%.3f%s%n", file.getFileName(), truth,
                        predicted, t.getValue("Probability", 0), ok ? "" : "\tWRONG");
                correct += ok ? 1 : 0;
                total++;
                int[] c = perClass.computeIfAbsent(truth, k -> new int[2]);
                c[0] += ok ? 1 : 0;
                c[1]++;
                ExplainCommand.Explained explained = ExplainCommand.explainFile(commands,
                        ExplainRequest.Method.GRADCAM, options, file, output, null, "inferno", 0.5, quiet, false, n -> none);
                ImagePlus gradcam = explained.firstMaps();
                List<String> files = explained.files();   // the summary links all of them
                files.addAll(ExplainCommand.explainFile(commands, ExplainRequest.Method.CAM, options, file, output,
                        null, "inferno", 0.5, quiet, false, n -> none).files());
                if (firstOfClass.add(truth)) {
                    Map<String, String> fm = new java.util.LinkedHashMap<>(options);
                    fm.put("layer", "block2");
                    fm.put("sort", "max");
                    files.addAll(ExplainCommand.explainFile(commands, ExplainRequest.Method.FEATUREMAPS, fm, file,
                            output, null, "inferno", 0.5, quiet, false, n -> none).files());
                    Map<String, String> dc = new java.util.LinkedHashMap<>(options);
                    dc.put("rule", "deconvnet");
                    dc.put("signal", "peak");
                    dc.put("top", "8");
                    files.addAll(ExplainCommand.explainFile(commands, ExplainRequest.Method.DECONVNET, dc, file,
                            output, null, "inferno", 0.5, quiet, false, n -> none).files());
                }
                summary.add(file.getFileName().toString(), explained, t, truth);
                progress.step();
                boolean[] mask = ImageFiles.mask(images.resolve("masks").resolve(ExplainCommand.stem(file) + ".png"));
                if (ok && mask != null && hasObject(mask)) {
                    float[] map = (float[]) gradcam.getProcessor().getPixels();
                    hits += Localization.pointingHit(map, mask, gradcam.getWidth(), TOLERANCE_PX) ? 1 : 0;
                    energy += Localization.energyRatio(map, mask);
                    located++;
                }
            }
            summary.write();
            perClass.forEach((name, c) -> out.printf(Locale.ROOT, "class %-10s %d/%d%n", name, c[0], c[1]));
            out.printf(Locale.ROOT, "accuracy: %.4f (%d/%d images)%n", total == 0 ? 0.0 : correct / (double) total,
                    correct, total);
            if (located > 0) {
                out.printf(Locale.ROOT, "Grad-CAM pointing game: %.4f (%d/%d correctly classified images with an object,"
                        + " peak within %.0f px of the mask); energy inside the mask: %.2f x its area share%n",
                        hits / (double) located, hits, located, TOLERANCE_PX, energy / located);
            }
        }
        return 0;
    }

    private static boolean hasObject(boolean[] mask) {
        for (boolean b : mask) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    static Map<String, String> readLabels(Path csv) {
        try {
            Map<String, String> labels = new HashMap<>();
            List<String> lines = Files.readAllLines(csv);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",");
                if (f.length >= 3) {
                    labels.put(f[0], f[2]);
                }
            }
            return labels;
        } catch (IOException e) {
            throw new UserError("cannot read demo labels " + csv + " (run from the repository root): " + e.getMessage());
        }
    }
}
