package org.cnnexplain.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cnnexplain.testutil.TestModels;
import org.cnnexplain.testutil.VirtualDisplay;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The plugin installed the way the README tells a user: a fresh {@code ImageJ/} folder with
 * ImageJ 1's {@code ij.jar} and, in {@code plugins/}, exactly the files of the distribution
 * ({@code target/dist/ImageJ-plugins/}, made by the build before the tests); ImageJ started as its
 * own process with {@code java -jar ij.jar}. Nothing of ours is on ImageJ's class path: it finds
 * the plugin, SciJava and DJL through its plugin class loader alone.
 *
 * <p>Checks that a {@code -batch} macro runs every command and that the saved results equal the
 * engine's (run in this JVM from the test class path), that a user error is one log line and no
 * dialog, and that in ImageJ's window the Grad-CAM overlay appears (a capture of the window is
 * saved as {@code target/install-gui-overlay.png}).
 */
@EnabledIf("org.cnnexplain.plugin.ImageJ1InstallTest#canRun")
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ImageJ1InstallTest {

    static final Path DIST = Path.of("target", "dist", "ImageJ-plugins");
    static final Path MODEL = TestModels.DEMO_MODEL.toAbsolutePath();
    static final Path IMAGE = TestModels.firstDemoImage("mitotic").toAbsolutePath();

    static Path imagej;
    /** The two ImageJ processes, one after the other. */
    static java.util.concurrent.CompletableFuture<Run> batch;
    static java.util.concurrent.CompletableFuture<Run> gui;

    static boolean canRun() {
        return VirtualDisplay.forChildProcesses() != null;   // ImageJ 1's dialogs need AWT, even in -batch mode
    }

    @BeforeAll
    static void install() throws IOException {
        assertTrue(Files.isDirectory(DIST), DIST + " is missing: the build makes it before the tests (pom.xml)");
        Path root = Path.of("target", "ij1-install").toAbsolutePath();
        deleteTree(root);
        imagej = Files.createDirectories(root.resolve("ImageJ"));
        Path plugins = Files.createDirectories(imagej.resolve("plugins"));
        Files.copy(Path.of(jarOf(ij.IJ.class)), imagej.resolve("ij.jar"));
        List<Path> files;
        try (Stream<Path> s = Files.list(DIST)) {
            files = s.toList();
        }
        assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().matches("CNN_Explain-.*\\.jar")),
                "no plugin jar in " + DIST + ": " + files);
        assertTrue(files.stream().noneMatch(f -> f.getFileName().toString().startsWith("ij-")),
                "the distribution must not carry its own ImageJ: " + files);
        // a dependency whose version changed leaves its old jar behind until "mvn clean"
        List<String> artifacts = files.stream().map(f -> f.getFileName().toString().replaceAll("-\\d.*$", "")).toList();
        assertEquals(artifacts.size(), new java.util.HashSet<>(artifacts).size(),
                "two versions of a jar in " + DIST + " (run mvn clean): " + files);
        for (Path f : files) {   // a copy, as a user makes it; a hard link saves 120 MB where it can
            Path to = plugins.resolve(f.getFileName());
            try {
                Files.createLink(to, f.toAbsolutePath());
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(f, to);
            }
        }
        gui = java.util.concurrent.CompletableFuture.supplyAsync(() -> imagej("gui-out", "-macro", "gui_overlay.ijm"));
        // after the GUI's screen capture: the batch's atlas and maximisation may open windows on the same display
        batch = gui.handleAsync((g, e) -> imagej("batch-out", "-batch", "explain_all.ijm"));
        CommandsTest.start();
    }

    @AfterAll
    static void stop() {
        CommandsTest.stop();
    }

    @Test
    void batchMacroRunsEveryCommandAndSavesTheEnginesResults() throws Exception {
        Path out = imagej.getParent().resolve("batch-out");
        Run r = batch.get();
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("explain_all done"), r.output());
        assertTrue(!r.output().contains("No compatible service") && !r.output().contains("Exception"), r.output());
        // the user error: one line, and the macro went on
        assertTrue(r.output().contains("CNN Explain: Grad-CAM: model file not found")
                || r.output().lines().anyMatch(l -> l.startsWith("CNN Explain: Grad-CAM:") && l.contains("missing.onnx")),
                r.output());

        ImagePlus imp = IJ.openImage(IMAGE.toString());
        ResultsTable predicted = ResultsTable.open(out.resolve("predict.csv").toString());
        ResultsTable engine = (ResultsTable) CommandsTest.run(PredictCommand.class, "image", imp).getOutput("table");
        assertEquals("mitotic", predicted.getStringValue("Predicted", 0));
        for (String c : List.of("interphase", "mitotic", "speckled", "empty")) {
            // the saved table has 3 decimals
            assertEquals(engine.getValue("p(" + c + ")", 0), predicted.getValue("p(" + c + ")", 0), 6e-4, c);
            assertEquals(engine.getValue("score(" + c + ")", 0), predicted.getValue("score(" + c + ")", 0), 6e-4, c);
        }

        assertSameMaps(out, "gradcam", 1, CommandsTest.run(GradCamCommand.class, "image", IJ.openImage(IMAGE.toString()),
                "layer", "block4", "target", "mitotic", "variant", "gradcam", "lut", "inferno", "opacity", 0.5));
        assertSameMaps(out, "cam", 1, CommandsTest.run(CamCommand.class, "image", IJ.openImage(IMAGE.toString()),
                "target", "top1", "lut", "viridis", "opacity", 0.4));
        assertSameMaps(out, "featuremaps", 3, CommandsTest.run(FeatureMapsCommand.class, "image",
                IJ.openImage(IMAGE.toString()), "layer", "block2", "channels", "1,2,5", "sort", "none", "top", 0));
        assertSameMaps(out, "deconvnet", 4, CommandsTest.run(DeconvnetCommand.class, "image",
                IJ.openImage(IMAGE.toString()), "layer", "block3", "rule", "guided", "channels", "", "top", 4,
                "signal", "peak", "target", "top1"));

        ImagePlus overlaid = IJ.openImage(out.resolve("overlay.tif").toString());
        assertNotNull(overlaid.getOverlay(), "no overlay saved with the input");
        long heat = Stream.of(overlaid.getOverlay().toArray()).filter(ImageRoi.class::isInstance).count();
        assertEquals(2 + 2, heat, "Grad-CAM and CAM layers, each with its calibration bar");

        // the commands that need no open image, installed the same way
        assertTrue(Files.exists(out.resolve("atlas_1.tif")), "Neuron Atlas opened no window:\n" + r.output());
        List<Integer> widths = new java.util.ArrayList<>();   // its windows: the stacks and the montage
        for (int n = 1; Files.exists(out.resolve("maximize_" + n + ".tif")); n++) {
            widths.add(IJ.openImage(out.resolve("maximize_" + n + ".tif").toString()).getWidth());
        }
        assertTrue(widths.contains(imp.getWidth()), "no synthesised input at the model's size: " + widths
                + "\n" + r.output());
        String rules = Files.readString(out.resolve("rules").resolve("rules.json"));
        assertTrue(rules.contains("\"heldout_fidelity\""), rules);
    }

    @Test
    void inImageJsWindowGradCamOverlaysTheImage() throws Exception {
        Path out = imagej.getParent().resolve("gui-out");
        Run r = gui.get();
        assertTrue(Files.exists(out.resolve("gui-done.txt")), "the GUI macro did not finish:\n" + r.output());
        Path shot = out.resolve("gui-overlay.png");
        Files.copy(shot, Path.of("target", "install-gui-overlay.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ImagePlus capture = IJ.openImage(shot.toString());
        ImagePlus before = IJ.openImage(out.resolve("gui-before.png").toString());
        assertEquals(3 * 128, capture.getWidth(), "the capture is the window's image at 300 %");
        float[] map = (float[]) ((ImagePlus) CommandsTest.run(GradCamCommand.class, "image",
                IJ.openImage(IMAGE.toString()), "layer", "block4", "target", "mitotic", "variant", "gradcam",
                "lut", "inferno", "opacity", 0.6).getOutput("result")).getProcessor().getPixels();
        float max = 0;
        int half = 0;
        for (int i = 0; i < map.length; i++) {
            max = Math.max(max, map[i]);
        }
        for (int i = 0; i < map.length; i++) {
            half = Math.abs(map[i] - max / 2) < Math.abs(map[half] - max / 2) ? i : half;
        }
        // at half the map's maximum the window shows inferno's red; where the map is 0 or nearly so, the image
        // looks as it did before (no dark edges around the map: its transparency follows its value)
        assertTrue(saturation(capture, half % 128, half / 128) > 60, "no colour at half the map's maximum");
        int near = 0;
        int worst = 0;
        for (int i = 0; i < map.length; i++) {
            if (map[i] < 0.01f * max && i % 128 < 100) {   // clear of the calibration bar
                near++;
                worst = Math.max(worst, difference(capture, before, i % 128, i / 128));
            }
        }
        assertTrue(near > 1000, "the map has few values near 0: " + near);
        assertTrue(worst <= 8, "the overlay changes the image where the map is < 1 % of its maximum by " + worst);
    }

    private static int difference(ImagePlus a, ImagePlus b, int x, int y) {
        int[] p = a.getPixel(3 * x + 1, 3 * y + 1);
        int[] q = b.getPixel(3 * x + 1, 3 * y + 1);
        return Math.max(Math.abs(p[0] - q[0]), Math.max(Math.abs(p[1] - q[1]), Math.abs(p[2] - q[2])));
    }

    private static int saturation(ImagePlus capture, int x, int y) {
        int[] rgb = capture.getPixel(3 * x + 1, 3 * y + 1);
        return Math.max(rgb[0], Math.max(rgb[1], rgb[2])) - Math.min(rgb[0], Math.min(rgb[1], rgb[2]));
    }

    /** The 32-bit result the macro saved equals the one the command gives in this JVM. */
    private static void assertSameMaps(Path out, String key, int planes, org.scijava.module.Module engine) {
        ImagePlus expected = (ImagePlus) engine.getOutput("result");
        ImagePlus saved = null;
        for (int n = 1; Files.exists(out.resolve(key + "_" + n + ".tif")); n++) {
            ImagePlus imp = IJ.openImage(out.resolve(key + "_" + n + ".tif").toString());
            if (imp.getType() == ImagePlus.GRAY32) {
                saved = imp;
            }
        }
        assertNotNull(saved, key + ": no 32-bit result saved");
        assertEquals(planes, saved.getStackSize(), key);
        assertEquals(expected.getStackSize(), saved.getStackSize(), key);
        for (int k = 1; k <= planes; k++) {
            float[] e = (float[]) expected.getStack().getPixels(k);
            float[] s = (float[]) saved.getStack().getPixels(k);
            float max = 0;
            for (float v : e) {
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max > 0, key + " plane " + k + " is empty");
            for (int i = 0; i < e.length; i++) {
                assertEquals(e[i], s[i], 1e-4 * max, key + " plane " + k + " pixel " + i);
            }
            assertEquals(expected.getStack().getSliceLabel(k), saved.getStack().getSliceLabel(k), key);
        }
    }

    record Run(int exit, String output) {
    }

    /** {@code java -jar ij.jar -ijpath ImageJ/ MODE macro args} in the ImageJ folder, on the test display. */
    private static Run imagej(String folder, String mode, String macro) {
        try {
            return imagej(Files.createDirectories(imagej.getParent().resolve(folder)), mode, macro);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Run imagej(Path out, String mode, String macro) throws Exception {
        Path file = imagej.getParent().resolve(macro);
        try (var in = ImageJ1InstallTest.class.getResourceAsStream("/install/" + macro)) {
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xss8m", "-jar", "ij.jar", "-ijpath", imagej.toString(),
                mode, file.toString(), "image=[" + IMAGE + "] model=[" + MODEL + "] output=[" + out + "] folder=[" + IMAGE.getParent() + "]"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(imagej.toFile()).redirectErrorStream(true);
        pb.environment().put("DISPLAY", VirtualDisplay.forChildProcesses());
        Path log = out.resolve("imagej-" + mode.substring(1) + ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            if (mode.equals("-macro")) {   // ImageJ's window may ask before quitting: done is the macro's file
                for (int i = 0; i < 240 && !Files.exists(out.resolve("gui-done.txt")) && p.isAlive(); i++) {
                    Thread.sleep(500);
                }
                p.waitFor(5, TimeUnit.SECONDS);
            } else {
                assertTrue(p.waitFor(200, TimeUnit.SECONDS), "ImageJ did not exit (a dialog waiting?):\n"
                        + Files.readString(log));
            }
        } finally {
            if (p.isAlive()) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        return new Run(p.isAlive() ? -1 : p.exitValue(), Files.readString(log));
    }

    private static String jarOf(Class<?> type) {
        try {
            return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (Stream<Path> s = Files.walk(root)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
