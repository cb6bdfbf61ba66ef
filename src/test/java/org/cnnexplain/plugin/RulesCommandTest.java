package org.cnnexplain.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cnnexplain.testutil.CommandContext;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Cancelable;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

/**
 * Rules of the demo model over the 60 demo images, through the Fiji command: the tree agrees with
 * the model on held-out folds, and an independent NumPy/PyTorch re-implementation
 * ({@code src/test/python/apply_rules.py}: its own pooled activations from the eager PyTorch model,
 * its own tree walk) gives every image the same class — from a committed golden, and live when
 * Debian's Python with torch is installed.
 */
class RulesCommandTest {

    @RegisterExtension
    static final CommandContext context = new CommandContext();

    static final Path GOLDEN = Path.of("src/test/resources/golden/rules");

    @TempDir
    static Path out;

    static JsonObject rules;
    static List<Map<String, String>> csv;

    @BeforeAll
    static void runOnTheDemoSet() throws Exception {
        Module m = run(Map.of("folder", TestModels.DEMO_IMAGES.toFile(), "layer", "block4",
                "output", out.toFile())).get();
        assertFalse(((Cancelable) m).isCanceled(), ((Cancelable) m).getCancelReason());
        rules = JsonParser.parseString(Files.readString(out.resolve("rules.json"))).getAsJsonObject();
        csv = readCsv(out.resolve("rules.csv"));
    }

    static Future<Module> run(Map<String, Object> given) {
        CommandInfo info = context.service(CommandService.class).getCommand(RulesCommand.class);
        Map<String, Object> inputs = new HashMap<>(given);
        inputs.put("model", TestModels.DEMO_MODEL.toFile());
        inputs.put("device", "cpu");
        return context.service(ModuleService.class).run(info, true,
                CommandInputs.withDefaults(context.get(), info, inputs));
    }

    @Test
    void demoRulesAgreeWithTheModelOnHeldOutImagesWithDepthAtMostThree() throws Exception {
        List<String> keys = new ArrayList<>(rules.keySet());
        assertEquals(List.of("fidelity", "heldout_fidelity"), keys.subList(0, 2));
        double heldout = rules.get("heldout_fidelity").getAsDouble();
        assertTrue(heldout >= 0.95, "held-out fidelity " + heldout);
        assertTrue(rules.get("fidelity").getAsDouble() >= heldout);
        assertEquals(60, rules.get("images").getAsInt());
        assertTrue(depth(rules.getAsJsonObject("tree")) <= 3);
        assertEquals(3, rules.get("depth").getAsInt());
        String text = Files.readString(out.resolve("rules.txt"));
        assertTrue(text.matches("(?s).*\\n1\\. IF block4 ch \\d+ \\(max\\) [≤>] [0-9.]+( AND (ch \\d+ [≤>] [0-9.]+"
                + "|[0-9.]+ < ch \\d+ ≤ [0-9.]+))* THEN \\w+   \\[fidelity [01]\\.\\d\\d, \\d+ images, coverage \\d+ %]\\n.*"),
                text);
        // every image's rule class, as rules.csv says, is what the tree in rules.json gives its pooled values
        assertEquals(60, csv.size());
        JsonObject tree = rules.getAsJsonObject("tree");
        for (Map<String, String> row : csv) {
            assertEquals(row.get("rule_class"), className(apply(tree, row)), row.get("image"));
        }
    }

    /** The committed golden tree is the one we fit today (else regenerate it and its NumPy golden, see apply_rules.py). */
    @Test
    void theGoldenTreeIsTheOneFittedNow() throws Exception {
        JsonObject golden = JsonParser.parseString(Files.readString(GOLDEN.resolve("demo_block4_max.json")))
                .getAsJsonObject();
        assertSameTree(golden.getAsJsonObject("tree"), rules.getAsJsonObject("tree"));
    }

    /**
     * The NumPy golden: PyTorch's pooled activations and model classes, and NumPy's walk of the
     * golden tree, per image; ours must agree on every image.
     */
    @Test
    void anIndependentNumPyReimplementationGivesTheSamePredictions() throws Exception {
        JsonObject golden = JsonParser.parseString(Files.readString(GOLDEN.resolve("demo_block4_max.json")))
                .getAsJsonObject();
        JsonObject numpy = JsonParser.parseString(Files.readString(GOLDEN.resolve("demo_block4_max_numpy.json")))
                .getAsJsonObject();
        compare(numpy.getAsJsonArray("images"), golden.getAsJsonObject("tree"));
    }

    @Test
    void liveNumPyReimplementationOnTheRulesJustWritten() throws Exception {
        Assumptions.assumeTrue(pythonWithTorch(), "skipped: /usr/bin/python3 with torch, numpy and PIL is not installed"
                + " (Debian: python3-torch python3-numpy python3-pil); the committed golden is checked instead");
        Path result = out.resolve("numpy.json");
        Process p = new ProcessBuilder("/usr/bin/python3", "src/test/python/apply_rules.py",
                out.resolve("rules.json").toString(), TestModels.DEMO_IMAGES.toString(), result.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), log);
        compare(JsonParser.parseString(Files.readString(result)).getAsJsonObject().getAsJsonArray("images"),
                rules.getAsJsonObject("tree"));
    }

    @Test
    void cancellingStopsThePassAndWritesNothing() throws Exception {
        Path dir = out.resolve("cancelled");
        CommandInfo info = context.service(CommandService.class).getCommand(RulesCommand.class);
        Map<String, Object> inputs = new HashMap<>(Map.of("folder", TestModels.DEMO_IMAGES.toFile(), "layer", "block4",
                "output", dir.toFile(), "model", TestModels.DEMO_MODEL.toFile(), "device", "cpu"));
        Module module = context.service(ModuleService.class).createModule(info);
        Future<Module> f = context.service(ModuleService.class).run(module, true,
                CommandInputs.withDefaults(context.get(), info, inputs));
        Thread.sleep(300);
        ((Cancelable) module).cancel("cancelled by the test");
        f.get(60, TimeUnit.SECONDS);
        assertTrue(((Cancelable) module).isCanceled());
        assertFalse(Files.exists(dir.resolve("rules.json")), "a cancelled run wrote rules.json");
    }

    /** Per image of {@code images} (the script's output): same model class, same pooled values, same tree class. */
    private static void compare(JsonArray images, JsonObject tree) {
        assertEquals(csv.size(), images.size());
        for (int i = 0; i < images.size(); i++) {
            JsonObject py = images.get(i).getAsJsonObject();
            Map<String, String> row = csv.get(i);
            String image = row.get("image");
            assertEquals(image, py.get("image").getAsString());
            assertEquals(row.get("model_class"), className(py.get("model_class").getAsInt()), image + ": model class");
            Map<String, String> ours = new HashMap<>(row);
            for (Map.Entry<String, com.google.gson.JsonElement> u : py.getAsJsonObject("used").entrySet()) {
                String column = "ch" + u.getKey() + "_max";
                double theirs = u.getValue().getAsDouble();
                double mine = Double.parseDouble(row.get(column));
                assertEquals(theirs, mine, 1e-4 * Math.max(1, Math.abs(theirs)), image + " " + column);
            }
            assertEquals(className(py.get("tree_class").getAsInt()), className(apply(tree, ours)), image + ": tree class");
            assertEquals(row.get("rule_class"), className(py.get("tree_class").getAsInt()), image + ": rule class");
        }
    }

    /** Our own walk of a rules.json tree over a rules.csv row's channel values. */
    private static int apply(JsonObject node, Map<String, String> row) {
        while (node.has("children")) {
            String column = "ch" + node.get("channel").getAsInt() + "_" + node.get("statistic").getAsString();
            double v = Float.parseFloat(row.get(column));
            node = node.getAsJsonArray("children").get(v <= node.get("threshold").getAsDouble() ? 0 : 1).getAsJsonObject();
        }
        return node.get("class_index").getAsInt();
    }

    private static String className(int k) {
        return rules.getAsJsonArray("classes").get(k).getAsString();
    }

    private static int depth(JsonObject node) {
        if (!node.has("children")) {
            return 0;
        }
        JsonArray c = node.getAsJsonArray("children");
        return 1 + Math.max(depth(c.get(0).getAsJsonObject()), depth(c.get(1).getAsJsonObject()));
    }

    private static void assertSameTree(JsonObject a, JsonObject b) {
        assertEquals(a.has("children"), b.has("children"));
        assertEquals(a.getAsJsonArray("counts"), b.getAsJsonArray("counts"));
        if (!a.has("children")) {
            assertEquals(a.get("class").getAsString(), b.get("class").getAsString());
            return;
        }
        assertEquals(a.get("channel").getAsInt(), b.get("channel").getAsInt());
        double t = a.get("threshold").getAsDouble();
        assertEquals(t, b.get("threshold").getAsDouble(), 1e-4 * Math.max(1, Math.abs(t)));
        for (int i = 0; i < 2; i++) {
            assertSameTree(a.getAsJsonArray("children").get(i).getAsJsonObject(),
                    b.getAsJsonArray("children").get(i).getAsJsonObject());
        }
    }

    static List<Map<String, String>> readCsv(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file);
        String[] header = lines.get(0).split(",");
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], f[i]);
            }
            rows.add(row);
        }
        return rows;
    }

    static boolean pythonWithTorch() {
        if (!new File("/usr/bin/python3").canExecute()) {
            return false;
        }
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch, numpy, PIL").redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException | InterruptedException e) {
            return false;
        }
    }
}
