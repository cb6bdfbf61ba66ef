package org.cnnexplain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ij.IJ;
import ij.ImagePlus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.cnnexplain.onnx.proto.Onnx;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as scripts use it: output formats, exit codes, and one-line errors for bad input. */
class CliTest {

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A user error: exit 2, exactly one "error:" line mentioning {@code expected}, no stack trace. */
    static void assertUserError(Result r, String expected) {
        assertEquals(2, r.code(), r.err());
        List<String> errors = r.err().lines().filter(l -> l.contains("error:")).toList();
        assertEquals(1, errors.size(), r.err());
        assertTrue(errors.get(0).contains(expected), "expected '" + expected + "' in: " + errors.get(0));
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "stack trace or exception: " + r.err());
    }

    @Test
    void predictPrintsOneJsonLinePerImage() {
        Path speckled = TestModels.firstDemoImage("speckled");
        Result r = run("predict", "--model", TestModels.DEMO_MODEL.toString(), "--input", speckled.toString(),
                "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(1, lines.size());
        JsonObject o = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals(speckled.getFileName().toString(), o.get("image").getAsString());
        assertEquals(1, o.get("slice").getAsInt());
        assertEquals(4, o.getAsJsonArray("scores").size());
        double sum = 0;
        for (var p : o.getAsJsonArray("probabilities")) {
            sum += p.getAsDouble();
        }
        assertEquals(1.0, sum, 1e-5);
        assertEquals("speckled", o.getAsJsonObject("top1").get("name").getAsString());
    }

    @Test
    void predictOnAFolderAndOnAStackGivesALinePerImageAndSlice() throws Exception {
        ImagePlus a = IJ.openImage(TestModels.DEMO_IMAGES.resolve("cell_001.tif").toString());
        ImagePlus b = IJ.openImage(TestModels.DEMO_IMAGES.resolve("cell_002.tif").toString());
        ij.ImageStack stack = new ij.ImageStack(a.getWidth(), a.getHeight());
        stack.addSlice(a.getProcessor());
        stack.addSlice(b.getProcessor());
        stack.addSlice(a.getProcessor());
        IJ.saveAsTiff(new ImagePlus("stack", stack), tmp.resolve("stack.tif").toString());
        Files.copy(TestModels.DEMO_IMAGES.resolve("cell_003.tif"), tmp.resolve("single.tif"));
        Result r = run("predict", "--model", TestModels.DEMO_MODEL.toString(), "--input", tmp.toString());
        assertEquals(0, r.code(), r.err());
        List<JsonObject> lines = r.out().lines().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
        assertEquals(4, lines.size());
        assertEquals(List.of("single.tif", "stack.tif", "stack.tif", "stack.tif"),
                lines.stream().map(o -> o.get("image").getAsString()).toList());
        assertEquals(List.of(1, 1, 2, 3), lines.stream().map(o -> o.get("slice").getAsInt()).toList());
        // slices 1 and 3 are the same plane: the same scores
        assertEquals(lines.get(1).get("scores"), lines.get(3).get("scores"));
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("cnn-explain: 2/2 images, ")), "progress: " + r.err());
        Result quiet = run("predict", "--model", TestModels.DEMO_MODEL.toString(), "--input", tmp.toString(), "--quiet");
        assertEquals(r.out(), quiet.out());
        assertFalse(quiet.err().contains("cnn-explain"), "--quiet: " + quiet.err());
    }

    @Test
    void layersListsEveryNodeWithItsShape() {
        Result r = run("layers", "--model", TestModels.DEMO_MODEL.toString());
        assertEquals(0, r.code(), r.err());
        List<String[]> rows = r.out().lines().map(l -> l.split("\t")).toList();
        assertTrue(rows.stream().allMatch(f -> f.length == 3));
        assertTrue(rows.stream().anyMatch(f -> f[0].startsWith("/block4/") && f[1].equals("Relu") && f[2].equals("1x64x16x16")));
        assertEquals("1x4", rows.get(rows.size() - 1)[2]);
    }

    @Test
    void missingModelFile() {
        assertUserError(run("predict", "--model", "nope.onnx", "--input", TestModels.DEMO_IMAGES.toString()),
                "model file not found");
    }

    @Test
    void missingImage() {
        assertUserError(run("predict", "--model", TestModels.DEMO_MODEL.toString(), "--input", "missing.tif"),
                "input not found");
    }

    @Test
    void emptyCorruptAndForeignModelFiles() throws Exception {
        Path empty = Files.createFile(tmp.resolve("empty.onnx"));
        assertUserError(run("layers", "--model", empty.toString()), "empty file");

        byte[] demo = Files.readAllBytes(TestModels.DEMO_MODEL);
        Path truncated = Files.write(tmp.resolve("truncated.onnx"), java.util.Arrays.copyOf(demo, demo.length / 3));
        assertUserError(run("layers", "--model", truncated.toString()), "not an ONNX model");

        byte[] noise = new byte[5000];
        new Random(1).nextBytes(noise);
        Path random = Files.write(tmp.resolve("random.onnx"), noise);
        assertUserError(run("layers", "--model", random.toString()), "not an ONNX model");

        Path text = Files.writeString(tmp.resolve("readme.onnx"), "this is not a model\n");
        assertUserError(run("layers", "--model", text.toString()), "not an ONNX model");
    }

    @Test
    void unknownOpIsNamedWithItsNode() throws Exception {
        Onnx.ModelProto model = Onnx.ModelProto.newBuilder()
                .setIrVersion(8)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(13))
                .setGraph(Onnx.GraphProto.newBuilder()
                        .addInput(Onnx.ValueInfoProto.newBuilder().setName("x"))
                        .addOutput(Onnx.ValueInfoProto.newBuilder().setName("y"))
                        .addNode(Onnx.NodeProto.newBuilder().setOpType("Relu").setName("first")
                                .addInput("x").addOutput("h"))
                        .addNode(Onnx.NodeProto.newBuilder().setOpType("FancyWarp").setName("mystery_node")
                                .addInput("h").addOutput("y")))
                .build();
        Path file = Files.write(tmp.resolve("fancy.onnx"), model.toByteArray());
        Result r = run("layers", "--model", file.toString());
        assertUserError(r, "FancyWarp");
        assertTrue(r.err().contains("mystery_node"), r.err());
    }

    @Test
    void imageWhoseChannelsCannotMapToTheModel() throws Exception {
        ImagePlus twoChannels = IJ.createImage("two", "16-bit", 128, 128, 2, 1, 1);
        Path file = tmp.resolve("two.tif");
        IJ.saveAsTiff(twoChannels, file.toString());
        assertUserError(run("predict", "--model", TestModels.DEMO_MODEL.toString(), "--input", file.toString()),
                "2 channels but the model expects 1");
    }

    @Test
    void unknownNormalisationMode() {
        assertUserError(run("predict", "--model", TestModels.DEMO_MODEL.toString(), "--input",
                TestModels.DEMO_IMAGES.toString(), "--normalize", "fancy"), "unknown normalisation mode 'fancy'");
    }

    @Test
    void corruptImageInAFolderIsSkippedAndReported() throws Exception {
        Files.copy(TestModels.DEMO_IMAGES.resolve("cell_000.tif"), tmp.resolve("a.tif"));
        Files.write(tmp.resolve("b.tif"), new byte[] {'I', 'I', 42, 0, 1, 2, 3});
        Result r = run("predict", "--model", TestModels.DEMO_MODEL.toString(), "--input", tmp.toString());
        assertEquals(1, r.code(), r.err());
        assertEquals(1, r.out().lines().count());
        assertTrue(r.err().contains("skipped b.tif"), r.err());
    }

    @Test
    void unknownCommandAndOption() {
        assertUserError(run("explode"), "unknown command 'explode'");
        assertUserError(run("layers", "--modle", "x"), "unknown option --modle");
    }

    @Test
    void demoClassifiesExplainsAndScoresThePointingGame() throws Exception {
        Result r = run("demo", "--output", tmp.toString(), "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("accuracy: 1.0000 (60/60 images)"), r.out());
        assertTrue(r.out().contains("Grad-CAM pointing game: 1.0000 (45/45"), r.out());
        assertTrue(Files.exists(tmp.resolve("cell_000_gradcam_overlay.png")));
        assertTrue(Files.exists(tmp.resolve("cell_000_cam.tif")));
        assertTrue(Files.exists(tmp.resolve("cell_000_featuremaps.tif")));   // first speckled image
        assertTrue(Files.exists(tmp.resolve("cell_000_deconvnet.tif")));
        ij.ImagePlus sheet = ij.IJ.openImage(tmp.resolve("summary.png").toString());
        assertEquals(6 * (2 * 160 + 2 + 8) + 8, sheet.getWidth(), "six tiles of image + overlay per row");
        assertTrue(sheet.getHeight() > 10 * 160, "ten rows for 60 images: " + sheet.getHeight());
        String html = Files.readString(tmp.resolve("summary.html"));
        assertEquals(60, html.lines().filter(l -> l.startsWith("<tr><td>cell_")).count(), "a row per image, none wrong");
        assertTrue(html.contains("<a href=\"cell_000_gradcam.tif\">") && html.contains("<a href=\"cell_000_cam.tif\">")
                && html.contains("<a href=\"cell_000_deconvnet.tif\">"), "links to every file of an image");
    }
}
