package org.cnnexplain.cli;

import static org.cnnexplain.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.FloatProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.cnnexplain.testutil.Compare;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stacks stay stacks on the command line (one file per method and kind, planes as labelled
 * slices; {@code --per-plane} for the old names), progress on stderr, {@code --summary}, and
 * attributions that keep a 3-channel input's channels.
 */
class StackOutputsCliTest {

    @TempDir
    Path tmp;

    /** Three demo images (mitotic, speckled, interphase) as the z-slices of one 16-bit stack. */
    private Path zStack() {
        ImageStack stack = new ImageStack(128, 128);
        for (String c : List.of("mitotic", "speckled", "interphase")) {
            stack.addSlice(c, IJ.openImage(TestModels.firstDemoImage(c).toString()).getProcessor().convertToShort(false));
        }
        ImagePlus imp = new ImagePlus("series", stack);
        imp.setDimensions(1, 3, 1);
        Path file = tmp.resolve("series.tif");
        IJ.saveAsTiff(imp, file.toString());
        return file;
    }

    private List<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aStackGivesOneFilePerMethodAndKindWithLabelledPlanes() throws Exception {
        Path stack = zStack();
        Path out = tmp.resolve("out");
        CliTest.Result r = run("gradcam", "--model", ExplainCliTest.MODEL, "--input", stack.toString(), "--output",
                out.toString(), "--layer", "block4", "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("predictions.csv", "series_gradcam.tif", "series_gradcam_layer.tif",
                "series_gradcam_overlay.tif"), files(out));
        assertEquals(out.resolve("series_gradcam.tif").toString(), r.out().strip(), "one path on stdout");
        assertTrue(r.err().contains("cnn-explain: 3/3 planes"), "progress over the planes: " + r.err());

        ImagePlus maps = IJ.openImage(out.resolve("series_gradcam.tif").toString());
        assertEquals(3, maps.getStackSize());
        assertTrue(maps.getStack().getSliceLabel(2).startsWith("z=2: "), maps.getStack().getSliceLabel(2));
        assertTrue(maps.getStack().getSliceLabel(2).contains("speckled"), maps.getStack().getSliceLabel(2));
        assertEquals(3, IJ.openImage(out.resolve("series_gradcam_layer.tif").toString()).getStackSize());
        ImagePlus overlays = IJ.openImage(out.resolve("series_gradcam_overlay.tif").toString());
        assertEquals(ImagePlus.COLOR_RGB, overlays.getType());
        assertEquals(3, overlays.getStackSize());
        List<String> csv = Files.readAllLines(out.resolve("predictions.csv"));
        assertEquals(4, csv.size(), "predictions.csv unchanged: one row per plane");
        assertTrue(csv.get(2).startsWith("series.tif,2,2,speckled,"), csv.get(2));

        // --per-plane: the old names, the same maps; --quiet: nothing but errors on stderr
        Path old = tmp.resolve("old");
        CliTest.Result p = run("gradcam", "--model", ExplainCliTest.MODEL, "--input", stack.toString(), "--output",
                old.toString(), "--layer", "block4", "--device", "cpu", "--per-plane", "--quiet");
        assertEquals(0, p.code(), p.err());
        assertFalse(p.err().contains("cnn-explain:"), "--quiet: " + p.err());
        assertEquals(10, files(old).size(), files(old).toString());
        for (int z = 1; z <= 3; z++) {
            float[] plane = (float[]) IJ.openImage(old.resolve("series_s00" + z + "_gradcam.tif").toString())
                    .getProcessor().getPixels();
            assertArrayEquals(plane, (float[]) maps.getStack().getProcessor(z).getPixels(), "plane " + z);
            assertTrue(Files.exists(old.resolve("series_s00" + z + "_gradcam_overlay.png")));
        }
    }

    @Test
    void folderRunWithSummaryAndProgress() throws Exception {
        Path in = tmp.resolve("in");
        Files.createDirectories(in);
        for (String c : List.of("mitotic", "empty")) {
            Files.copy(TestModels.firstDemoImage(c), in.resolve(c + ".tif"));
        }
        Path out = tmp.resolve("out");
        CliTest.Result r = run("cam", "--model", ExplainCliTest.MODEL, "--input", in.toString(), "--output",
                out.toString(), "--summary", "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("cnn-explain: 2/2 images"), r.err());
        ImagePlus sheet = IJ.openImage(out.resolve("summary.png").toString());
        assertTrue(sheet.getWidth() > 2 * 160 && sheet.getHeight() > 160, sheet.getWidth() + "x" + sheet.getHeight());
        String html = Files.readString(out.resolve("summary.html"));
        assertTrue(html.contains("<img class=\"sheet\" src=\"summary.png\""), html);
        for (String c : List.of("mitotic", "empty")) {
            assertTrue(html.contains("<a href=\"" + c + "_cam.tif\">"), html);
            assertTrue(html.contains("<a href=\"" + c + "_cam_overlay.png\">"), html);
            assertTrue(Files.exists(out.resolve(c + "_cam_layer.tif")));
        }
        assertTrue(html.contains("<td>mitotic.tif</td><td>mitotic</td>"), html);
    }

    /**
     * Guided backprop of the 3-channel reduced resnet18 on the CLI: the file keeps the channel axis
     * (ImageJ CYX order: channels, then one frame per neuron) and equals PyTorch's per-channel input
     * gradients; the overlay shows the maximum of |.| over channels.
     */
    @Test
    void perChannelAttributionsKeepTheChannelAxis() throws Exception {
        Npy x = Npy.read(TestModels.golden("resnet18s3", "input.npy"));
        ImageStack st = new ImageStack(64, 64);
        for (int c = 0; c < 3; c++) {
            st.addSlice("c" + c, new FloatProcessor(64, 64, java.util.Arrays.copyOfRange(x.data(), c * 4096, (c + 1) * 4096)));
        }
        ImagePlus rgb = new ImagePlus("stains", st);
        rgb.setDimensions(3, 1, 1);
        IJ.saveAsTiff(rgb, tmp.resolve("stains.tif").toString());
        Path out = tmp.resolve("out");
        CliTest.Result r = run("deconvnet", "--model", TestModels.parityModel("resnet18s3", 13).toString(), "--input",
                tmp.resolve("stains.tif").toString(), "--output", out.toString(), "--rule", "guided", "--layer",
                "layer4", "--channels", "2,11", "--normalize", "none", "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        ImagePlus maps = IJ.openImage(out.resolve("stains_guided.tif").toString());
        assertEquals(3, maps.getNChannels());
        assertEquals(2, maps.getNFrames());
        assertTrue(maps.getStack().getSliceLabel(2).endsWith("[input channel 2]"), maps.getStack().getSliceLabel(2));
        Npy golden = Npy.read(TestModels.golden("resnet18s3", "explain/guided_peak.npy"));   // channels 2, 11, 18
        float[] got = new float[6 * 4096];
        for (int k = 0; k < 6; k++) {
            System.arraycopy((float[]) maps.getStack().getProcessor(k + 1).getPixels(), 0, got, k * 4096, 4096);
        }
        Compare.assertClose(got, new long[] {2, 3, 64, 64},
                new Npy(new long[] {2, 3, 64, 64}, java.util.Arrays.copyOf(golden.data(), 6 * 4096)), 1e-4,
                "guided backprop per channel from the CLI");
        assertTrue(Files.size(out.resolve("stains_guided_overlay.png")) > 0);
    }
}
