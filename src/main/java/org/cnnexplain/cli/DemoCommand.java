package org.cnnexplain.cli;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cnnexplain.UserError;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;

/**
 * {@code demo}: the main job on the bundled demo. Predicts every image in
 * {@code test-images/demo/} with {@code test-images/models/demo.onnx} and
 * prints the accuracy against {@code labels.csv}.
 */
final class DemoCommand {

    private DemoCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = new Args("demo", argv, Set.of("device"), Set.of());
        Path home = Path.of(System.getProperty("cnnexplain.home", "."));
        Path images = home.resolve("test-images/demo");
        Path modelFile = home.resolve("test-images/models/demo.onnx");
        Map<String, String> labels = readLabels(images.resolve("labels.csv"));
        try (ExplainableModel model = ModelLoader.load(modelFile, args.get("device", "auto"))) {
            Normalization norm = Normalization.of("model", model.spec());
            err.println("cnn-explain: demo model on " + model.device() + ", normalisation " + norm.describe());
            int correct = 0;
            int total = 0;
            Map<String, int[]> perClass = new java.util.TreeMap<>();
            for (Path file : ImageFiles.list(images)) {
                String truth = labels.get(file.getFileName().toString());
                if (truth == null) {
                    continue;
                }
                JsonObject p = PredictCommand.predict(model, file, norm).get(0);
                String predicted = p.getAsJsonObject("top1").get("name").getAsString();
                boolean ok = predicted.equals(truth);
                out.printf(Locale.ROOT, "%s\ttruth %-10s predicted %-10s p=%.3f%s%n", file.getFileName(), truth, predicted,
                        p.getAsJsonObject("top1").get("probability").getAsDouble(), ok ? "" : "\tWRONG");
                correct += ok ? 1 : 0;
                total++;
                int[] c = perClass.computeIfAbsent(truth, k -> new int[2]);
                c[0] += ok ? 1 : 0;
                c[1]++;
            }
            perClass.forEach((name, c) -> out.printf(Locale.ROOT, "class %-10s %d/%d%n", name, c[0], c[1]));
            out.printf(Locale.ROOT, "accuracy: %.4f (%d/%d images)%n", total == 0 ? 0.0 : correct / (double) total,
                    correct, total);
        }
        return 0;
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
