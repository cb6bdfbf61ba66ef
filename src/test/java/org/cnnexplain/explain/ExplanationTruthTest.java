package org.cnnexplain.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cnnexplain.cli.Main;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Do the explanations point at what makes the class? On the held-out demo images with a
 * class-defining object (the 'empty' class has none; their masks are empty and skipped), with their
 * ground-truth masks, through {@code evaluate} — the command users run on their own data, whose
 * metric code is {@link org.cnnexplain.explain.quality.Evaluation}:
 * <ul>
 *   <li>pointing game: the map's peak lies within 15 px of the mask;</li>
 *   <li>energy: share of the map's positive mass inside the mask, over the mask's share of the image;</li>
 *   <li>deletion: deleting pixels (in the raw image, to its background level, each step through the
 *       model's normalisation) in the map's order lowers the class probability faster (lower area under
 *       the curve) than a random order.</li>
 * </ul>
 * Asserts the thresholds for Grad-CAM, and that every method's numbers are the README's truth
 * table, to the digits it prints.
 */
class ExplanationTruthTest {

    static final Map<String, String> README_NAMES = new LinkedHashMap<>();

    static {
        README_NAMES.put("Grad-CAM", "gradcam");
        README_NAMES.put("Grad-CAM++", "gradcampp");
        README_NAMES.put("XGrad-CAM", "xgradcam");
        README_NAMES.put("LayerCAM", "layercam");
        README_NAMES.put("HiResCAM", "hirescam");
        README_NAMES.put("Eigen-CAM", "eigencam");
        README_NAMES.put("Score-CAM", "scorecam");
        README_NAMES.put("CAM", "cam");
    }

    @Test
    void evaluateOnTheDemoSetGivesTheReadmeTruthTable(@TempDir Path tmp) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"evaluate", "--model", TestModels.DEMO_MODEL.toString(), "--input",
            TestModels.DEMO_IMAGES.toString(), "--mask", TestModels.DEMO_IMAGES.resolve("masks").toString(),
            "--output", tmp.toString(), "--layer", "block4", "--device", "cpu"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        System.out.println("Explanation truth on the held-out demo images, layer block4:\n" + printed);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        Map<String, double[]> measured = new LinkedHashMap<>();
        for (String line : printed.lines().skip(1).toList()) {
            String[] f = line.split("\t");
            double[] v = new double[f.length - 1];
            for (int i = 1; i < f.length; i++) {
                v[i - 1] = Double.parseDouble(f[i]);
            }
            measured.put(f[0], v);   // images, pointing, energy, deletion, random, wins, insertion
        }
        double[] gradcam = measured.get("gradcam");
        assertEquals(45, gradcam[0], "images with an object");
        assertTrue(gradcam[1] >= 0.9, "pointing " + gradcam[1]);
        assertTrue(gradcam[2] >= 3.0, "energy " + gradcam[2]);
        assertTrue(gradcam[5] >= 0.9, "deletion beats random " + gradcam[5]);
        assertTrue(gradcam[6] > gradcam[3], "insertion AUC above deletion AUC");
        assertTrue(Files.size(tmp.resolve("evaluate.png")) > 1000);
        List<String> csv = Files.readAllLines(tmp.resolve("evaluate.csv"));
        assertEquals(22, csv.size(), "header + 21 steps");

        // | Grad-CAM | 1.00 | 10.13 × | 1.00 | 0.196 (0.585) |
        Pattern row = Pattern.compile("^\\| (\\S+) \\| ([0-9.]+) \\| ([0-9.]+) × \\| ([0-9.]+) \\| ([0-9.]+)(?: \\(([0-9.]+)\\))? \\|$");
        int rows = 0;
        for (String line : Files.readAllLines(Path.of("README.md"))) {
            Matcher m = row.matcher(line);
            if (!m.matches() || !README_NAMES.containsKey(m.group(1))) {
                continue;
            }
            double[] v = measured.get(README_NAMES.get(m.group(1)));
            String what = m.group(1) + " (README: " + line + ")";
            assertEquals(Double.parseDouble(m.group(2)), v[1], 0.0051, what + " pointing");
            assertEquals(Double.parseDouble(m.group(3)), v[2], 0.0051, what + " energy");
            assertEquals(Double.parseDouble(m.group(4)), v[5], 0.0051, what + " deletion beats random");
            assertEquals(Double.parseDouble(m.group(5)), v[3], 0.00051, what + " deletion AUC");
            if (m.group(6) != null) {
                assertEquals(Double.parseDouble(m.group(6)), v[4], 0.00051, what + " random deletion AUC");
            }
            rows++;
        }
        assertEquals(README_NAMES.size(), rows, "rows of the README truth table found");
    }
}
