package org.cnnexplain.plugin;

import static org.cnnexplain.plugin.CommandsTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.ResultsTable;
import ij.process.FloatProcessor;
import java.util.List;
import org.cnnexplain.testutil.Compare;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scijava.module.Module;

/**
 * Through a SciJava Context as Fiji runs them: Deconvnet on a 3-channel image returns a
 * hyperstack channel x neuron equal to PyTorch's per-channel gradients, and Predict and
 * Grad-CAM make a labelled montage of a stack's planes on request.
 */
class ChannelsAndMontageCommandsTest {

    @BeforeAll
    static void start() {
        CommandsTest.start();
    }

    @AfterAll
    static void stop() {
        CommandsTest.stop();
    }

    @Test
    void deconvnetOfAThreeChannelImageIsAChannelByNeuronHyperstack() throws Exception {
        Npy x = Npy.read(TestModels.golden("resnet18s3", "input.npy"));
        ImageStack st = new ImageStack(64, 64);
        for (int c = 0; c < 3; c++) {
            st.addSlice("", new FloatProcessor(64, 64, java.util.Arrays.copyOfRange(x.data(), c * 4096, (c + 1) * 4096)));
        }
        ImagePlus image = new ImagePlus("stains", st);
        image.setDimensions(3, 1, 1);
        Module m = run(DeconvnetCommand.class, "image", image, "model",
                TestModels.parityModel("resnet18s3", 13).toFile(), "normalize", "none", "layer", "layer4",
                "rule", "deconvnet", "channels", "2,11,18", "signal", "peak");
        ImagePlus result = (ImagePlus) m.getOutput("result");
        assertEquals(3, result.getNChannels());
        assertEquals(1, result.getNSlices());
        assertEquals(3, result.getNFrames());
        assertTrue(result.isHyperStack());
        assertTrue(result.getStack().getSliceLabel(4).startsWith("channel 11 neuron"), result.getStack().getSliceLabel(4));
        assertTrue(result.getStack().getSliceLabel(4).endsWith("[input channel 1]"), result.getStack().getSliceLabel(4));
        float[] got = new float[9 * 4096];
        for (int k = 0; k < 9; k++) {
            System.arraycopy((float[]) result.getStack().getProcessor(k + 1).getPixels(), 0, got, k * 4096, 4096);
        }
        Compare.assertClose(got, new long[] {3, 3, 64, 64},
                Npy.read(TestModels.golden("resnet18s3", "explain/deconvnet_peak.npy")), 1e-4,
                "deconvnet per channel through the command");
    }

    @Test
    void predictAndGradCamMakeALabelledMontageOnRequest() throws Exception {
        ImageStack st = new ImageStack(128, 128);
        for (String c : List.of("mitotic", "speckled", "empty")) {
            st.addSlice(c, IJ.openImage(TestModels.firstDemoImage(c).toString()).getProcessor());
        }
        ImagePlus series = new ImagePlus("series", st);
        series.setDimensions(1, 1, 3);
        Module plain = run(GradCamCommand.class, "image", series);
        assertNull(plain.getOutput("sheet"), "no montage unless asked for");
        Module g = run(GradCamCommand.class, "image", series, "montage", true);
        ImagePlus sheet = (ImagePlus) g.getOutput("sheet");
        assertNotNull(sheet);
        assertEquals(ImagePlus.COLOR_RGB, sheet.getType());
        assertTrue(sheet.getWidth() >= 3 * 2 * 160, "three tiles of image + overlay side by side: " + sheet.getWidth());
        assertTrue(sheet.getTitle().contains("Grad-CAM montage"), sheet.getTitle());
        new ij.io.FileSaver(sheet).saveAsPng("target/gradcam-montage.png");   // to look at
        Module p = run(PredictCommand.class, "image", series, "montage", true);
        ImagePlus predicted = (ImagePlus) p.getOutput("sheet");
        assertTrue(predicted.getWidth() >= 3 * 160 && predicted.getWidth() < 3 * 2 * 160,
                "three tiles of the image alone: " + predicted.getWidth());
        ResultsTable t = (ResultsTable) p.getOutput("table");
        assertEquals("speckled", t.getStringValue("Predicted", 1));
    }
}
