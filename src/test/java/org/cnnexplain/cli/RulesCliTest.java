package org.cnnexplain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnexplain.plugin.RulesCliFolder;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rules} on the command line: files, stdout, an unreadable image skipped, one-line errors. */
class RulesCliTest {

    @TempDir
    Path tmp;

    @Test
    void rulesWritesItsFilesSkipsAnUnreadableImageAndRefusesToOverwrite() throws Exception {
        Path in = RulesCliFolder.small(tmp.resolve("in"));
        Files.writeString(in.resolve("zz_broken.tif"), "not a tiff");
        // a 3-plane stack: each plane is one sample
        ij.ImagePlus a = ij.IJ.openImage(TestModels.firstDemoImage("mitotic").toString());
        ij.ImagePlus b = ij.IJ.openImage(TestModels.firstDemoImage("empty").toString());
        ij.ImageStack stack = new ij.ImageStack(a.getWidth(), a.getHeight());
        stack.addSlice(a.getProcessor());
        stack.addSlice(b.getProcessor());
        stack.addSlice(a.getProcessor());
        ij.IJ.saveAsTiff(new ij.ImagePlus("stack", stack), in.resolve("stack.tif").toString());
        Path out = tmp.resolve("out");
        String[] args = {"rules", "--model", TestModels.DEMO_MODEL.toString(), "--input", in.toString(), "--output",
                out.toString(), "--layer", "block4", "--depth", "2", "--min-leaf", "2", "--folds", "3", "--pool", "mean",
                "--device", "cpu"};
        CliTest.Result r = CliTest.run(args);
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("cnn-explain: skipped zz_broken.tif: "), r.err());
        assertTrue(r.out().contains("\n1. IF block4 ch ") && r.out().contains(" (mean) "), r.out());
        assertEquals(r.out(), Files.readString(out.resolve("rules.txt")));
        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("rules.json"))).getAsJsonObject();
        assertEquals(15, json.get("images").getAsInt());
        java.util.List<String> stackRows = Files.readAllLines(out.resolve("rules.csv")).stream()
                .filter(l -> l.startsWith("stack.tif,")).toList();
        assertEquals(3, stackRows.size());
        assertTrue(stackRows.get(0).startsWith("stack.tif,1,mitotic,") && stackRows.get(1).startsWith("stack.tif,2,empty,")
                && stackRows.get(2).startsWith("stack.tif,3,mitotic,"), String.join("\n", stackRows));
        assertEquals("mean", json.get("statistic").getAsString());
        assertEquals(3, json.get("folds").getAsInt());
        assertTrue(json.get("heldout_fidelity").getAsDouble() >= 0 && json.get("heldout_fidelity").getAsDouble() <= 1);
        assertTrue(Files.readAllLines(out.resolve("rules.csv")).get(0).contains("_mean"));

        CliTest.assertUserError(CliTest.run(args), "rules.txt exists");
        CliTest.Result again = CliTest.run(java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--overwrite")).toArray(String[]::new));
        assertEquals(1, again.code(), again.err());
    }

    @Test
    void badOptionsAreOneLineErrors() {
        Path in = TestModels.DEMO_IMAGES;
        String model = TestModels.DEMO_MODEL.toString();
        CliTest.assertUserError(CliTest.run("rules", "--model", model, "--input", in.toString(), "--output",
                tmp.toString(), "--pool", "median"), "unknown pooling 'median' (valid: max, mean)");
        CliTest.assertUserError(CliTest.run("rules", "--model", model, "--input", in.toString()), "--output is required");
        CliTest.assertUserError(CliTest.run("rules", "--model", model, "--input", in.toString(), "--output",
                tmp.toString(), "--depth", "0"), "depth must be 1 or more");
        CliTest.assertUserError(CliTest.run("rules", "--model", model, "--input", tmp.resolve("none").toString(),
                "--output", tmp.toString()), "input not found");
    }
}
