package org.cnnexplain.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.macro.Interpreter;
import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Roi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * The macros in macros/ run by the real ImageJ 1 macro interpreter (needs a
 * display: the test starts an Xvfb when it has none, see VirtualDisplay), with the plugin installed the
 * ImageJ 1 way, on demo images; checks the files they write.
 */
@EnabledIf("org.cnnexplain.plugin.ImageJ1Install#hasDisplay")
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MacrosTest {

    static final String MODEL = TestModels.DEMO_MODEL.toAbsolutePath().toString();

    @TempDir
    Path tmp;

    @BeforeAll
    static void install() throws Exception {
        ImageJ1Install.create();
    }

    /** Runs a macro file; a macro error fails the test instead of opening ImageJ's error dialog. */
    static String runMacro(String name, String args) throws Exception {
        Interpreter interpreter = new Interpreter();
        interpreter.setIgnoreErrors(true);
        String r = interpreter.run(Files.readString(Path.of("macros", name)), args);
        assertNull(interpreter.getErrorMessage(), name + " failed");
        assertNotEquals("[aborted]", r, name + " aborted");
        return r;
    }

    @Test
    void batchMacroWritesMapsOverlaysAndPredictions() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Path out = Files.createDirectories(tmp.resolve("out"));
        List<String> classes = List.of("interphase", "mitotic", "speckled");
        for (String c : classes) {
            Files.copy(TestModels.firstDemoImage(c), in.resolve(c + ".tif"));
        }
        runMacro("batch_explain.ijm", "input=[" + in + "] output=[" + out + "] model=[" + MODEL + "]");
        List<String> csv = Files.readAllLines(out.resolve("predictions.csv"));
        assertEquals(4, csv.size(), String.join("\n", csv));
        for (String c : classes) {
            assertTrue(csv.contains(c + ".tif,1," + c + "," + csv.stream().filter(l -> l.startsWith(c + ".tif"))
                    .findFirst().orElseThrow().split(",")[3]), "prediction of " + c + ": " + csv);
            ImagePlus map = IJ.openImage(out.resolve(c + "_gradcam.tif").toString());
            assertEquals(ImagePlus.GRAY32, map.getType());
            ImagePlus overlaid = IJ.openImage(out.resolve(c + "_overlay.tif").toString());
            assertNotNull(overlaid.getOverlay(), c + ": overlay not kept in the TIFF");
            boolean heat = false;
            for (Roi r : overlaid.getOverlay().toArray()) {
                heat |= r instanceof ImageRoi;
            }
            assertTrue(heat, c + ": no heatmap layer in the saved overlay");
        }
    }

    @Test
    void featureMapsMontageMacroSavesTheMontage() throws Exception {
        Path png = tmp.resolve("montage.png");
        runMacro("feature_maps_montage.ijm", "image=[" + TestModels.firstDemoImage("mitotic").toAbsolutePath()
                + "] model=[" + MODEL + "] layer=block2 top=16 output=[" + png + "]");
        ImagePlus montage = IJ.openImage(png.toString());
        assertNotNull(montage);
        // 16 maps of 128 x 128 in 4 columns, with thin borders between them
        assertTrue(Math.abs(montage.getWidth() - 4 * 128) <= 4, "montage width " + montage.getWidth());
    }

    /** The preferred inputs of block4's 4 strongest channels on a mitotic image: one labelled tile each. */
    @Test
    void maximizeMacroSavesTheMontageOfTheStrongestChannels() throws Exception {
        Path png = tmp.resolve("preferred.png");
        runMacro("maximize_montage.ijm", "image=[" + TestModels.firstDemoImage("mitotic").toAbsolutePath()
                + "] model=[" + MODEL + "] layer=block4 top=4 steps=3 output=[" + png + "]");
        ImagePlus montage = IJ.openImage(png.toString());
        assertNotNull(montage, "no montage saved");
        assertEquals(ImagePlus.COLOR_RGB, montage.getType());
        assertTrue(montage.getWidth() > 3 * montage.getHeight(), "4 tiles in a row: " + montage.getWidth() + " x "
                + montage.getHeight());
    }

    @Test
    void variantsMacroPutsTheGradCamFamilySideBySide() throws Exception {
        Path tif = tmp.resolve("variants.tif");
        runMacro("gradcam_variants.ijm", "image=[" + TestModels.firstDemoImage("speckled").toAbsolutePath()
                + "] model=[" + MODEL + "] layer=block4 target=top1 output=[" + tif + "]");
        ImagePlus stack = IJ.openImage(tif.toString());
        assertEquals(7, stack.getStackSize());
        assertEquals("scorecam", stack.getStack().getSliceLabel(7));
        for (int i = 1; i <= 7; i++) {
            stack.setSlice(i);
            assertEquals(1.0, stack.getProcessor().getStatistics().max, 1e-5, "variant " + i + " not normalised");
        }
    }

    /** Seg-Grad-CAM per ROI of the ROI Manager, on the U-Net: the box's slice equals the PyTorch golden. */
    @Test
    void roiMacroExplainsEachRegion() throws Exception {
        Path image = tmp.resolve("cells.tif");
        IJ.saveAsTiff(VolumeSegmentationCommandsTest.image("unet"), image.toString());
        Path zip = tmp.resolve("RoiSet.zip");
        ij.plugin.frame.RoiManager rm = new ij.plugin.frame.RoiManager(false);
        Roi box = new Roi(8, 10, 12, 14);   // the ROI of make_volume_seg_models.py
        box.setName("nucleus A");
        rm.addRoi(box);
        Roi other = new ij.gui.OvalRoi(2, 2, 10, 8);
        other.setName("nucleus B");
        rm.addRoi(other);
        rm.runCommand("Save", zip.toString());
        rm.reset();
        Path out = tmp.resolve("per_roi.tif");
        runMacro("roi_seggradcam.ijm", "image=[" + image + "] model=[" + TestModels.parityModel("unet", 13)
                .toAbsolutePath() + "] rois=[" + zip + "] layer=bottleneck output=[" + out + "]");
        ImagePlus stack = IJ.openImage(out.toString());
        assertEquals(2, stack.getStackSize());
        assertEquals("nucleus A", stack.getStack().getSliceLabel(1));
        org.cnnexplain.testutil.Compare.assertClose((float[]) stack.getStack().getProcessor(1).getPixels(),
                new long[] {1, 32, 32}, VolumeSegmentationCommandsTest.first("unet", "gradcam_input.npy"), 1e-3,
                "Seg-Grad-CAM of the box ROI from the macro");
    }
}
