package org.cnnexplain.plugin;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.cnnexplain.testutil.CommandContext;
import static org.cnnexplain.testutil.Compare.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import ij.process.FloatProcessor;
import java.io.File;
import java.util.HashMap;
import java.util.Map;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.scijava.Cancelable;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

/**
 * The Fiji commands on a 3-D CNN (a z-stack is one sample; results are z-stacks)
 * and on a U-Net (the image's ROI is the segmentation target), against the
 * PyTorch goldens of make_volume_seg_models.py.
 */
public class VolumeSegmentationCommandsTest {

    @RegisterExtension
    static final CommandContext context = new CommandContext();

    /** Sample 0 of a golden input (1, C=1, [D,] H, W) as an ImagePlus with one slice per z. */
    public static ImagePlus image(String model) {
        Npy x = Npy.read(TestModels.golden(model, "input.npy"));
        long[] s = x.shape();
        int w = (int) s[s.length - 1];
        int h = (int) s[s.length - 2];
        int d = s.length == 5 ? (int) s[2] : 1;
        ImageStack stack = new ImageStack(w, h);
        for (int z = 0; z < d; z++) {
            stack.addSlice("", new FloatProcessor(w, h, java.util.Arrays.copyOfRange(x.data(), z * w * h, (z + 1) * w * h)));
        }
        ImagePlus imp = new ImagePlus(model, stack);
        imp.setDimensions(1, d, 1);
        return imp;
    }

    static Module run(Class<? extends Command> type, String model, ImagePlus image, Object... keyValues)
            throws Exception {
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("image", image);
        inputs.put("model", new File(TestModels.parityModel(model, 13).toString()));
        inputs.put("device", "cpu");
        inputs.put("normalize", "none");
        for (int i = 0; i < keyValues.length; i += 2) {
            inputs.put((String) keyValues[i], keyValues[i + 1]);
        }
        var info = context.service(CommandService.class).getCommand(type);
        return context.service(ModuleService.class).run(info, true, CommandInputs.withDefaults(context.get(), info, inputs))
                .get();
    }

    /** Sample 0 of a golden (N, ...) as a (1, ...) expectation. */
    public static Npy first(String model, String file) {
        Npy all = Npy.read(TestModels.golden(model, "explain/" + file));
        long[] shape = all.shape().clone();
        int per = (int) (all.data().length / shape[0]);
        shape[0] = 1;
        return new Npy(shape, java.util.Arrays.copyOf(all.data(), per));
    }

    static float[] stackData(ImagePlus imp) {
        int plane = imp.getWidth() * imp.getHeight();
        float[] out = new float[imp.getStackSize() * plane];
        for (int k = 1; k <= imp.getStackSize(); k++) {
            System.arraycopy((float[]) imp.getStack().getProcessor(k).getPixels(), 0, out, (k - 1) * plane, plane);
        }
        return out;
    }

    @Test
    void gradCamOfAZStackIsAZStackWithAnOverlayOnEverySlice() throws Exception {
        ImagePlus stack = image("net3d");
        Module m = run(GradCamCommand.class, "net3d", stack, "layer", "block3", "guided", true);
        ImagePlus result = (ImagePlus) m.getOutput("result");
        assertEquals(8, result.getNSlices(), "one map slice per z-slice");
        assertEquals(1, result.getNFrames());
        assertTrue(result.getStack().getSliceLabel(3).endsWith("z=3"), result.getStack().getSliceLabel(3));
        assertClose(stackData(result), new long[] {1, 8, 32, 32}, first("net3d", "gradcam_input.npy"), 1e-3,
                "3-D Grad-CAM through the command");
        assertEquals(8, ((ImagePlus) m.getOutput("guidedmaps")).getNSlices());
        java.util.Set<Integer> slices = new java.util.TreeSet<>();
        for (Roi r : stack.getOverlay().toArray()) {
            if (r instanceof ij.gui.ImageRoi) {
                slices.add(r.getZPosition());
            }
        }
        assertEquals(java.util.Set.of(1, 2, 3, 4, 5, 6, 7, 8), slices, "a heatmap on every z-slice");
    }

    @Test
    void theRoiIsTheSegmentationTarget() throws Exception {
        ImagePlus image = image("unet");
        image.setRoi(new Roi(8, 10, 12, 14));   // the box of make_volume_seg_models.py
        Module m = run(GradCamCommand.class, "unet", image, "layer", "bottleneck");
        assertClose(stackData((ImagePlus) m.getOutput("result")), new long[] {1, 32, 32},
                first("unet", "gradcam_input.npy"), 1e-3, "Seg-Grad-CAM over the ROI");
        assertTrue(((ImagePlus) m.getOutput("result")).getStack().getSliceLabel(1).contains("in ROI"));

        ImagePlus noRoi = image("unet");
        Module region = run(GradCamCommand.class, "unet", noRoi, "layer", "bottleneck");
        assertClose(stackData((ImagePlus) region.getOutput("result")), new long[] {1, 32, 32},
                first("unet", "region_gradcam_input.npy"), 1e-3, "Seg-Grad-CAM over the predicted region");

        Module guided = run(DeconvnetCommand.class, "unet", image, "signal", "class", "rule", "guided");
        assertClose(stackData((ImagePlus) guided.getOutput("result")), new long[] {1, 32, 32},
                first("unet", "guided_class.npy"), 1e-4, "guided backprop of the ROI target");
    }

    @Test
    void predictOnASegmentationModelReportsTheDominantClassAndPixelFractions() throws Exception {
        Module m = run(PredictCommand.class, "unet", image("unet"));
        ResultsTable t = (ResultsTable) m.getOutput("table");
        Npy logits = Npy.read(TestModels.golden("unet", "logits.npy"));
        int[] count = new int[3];
        for (int p = 0; p < 32 * 32; p++) {
            int best = 0;
            for (int c = 1; c < 3; c++) {
                if (logits.data()[c * 1024 + p] > logits.data()[best * 1024 + p]) {
                    best = c;
                }
            }
            count[best]++;
        }
        int expected = count[1] >= count[2] ? 1 : 2;
        assertEquals(expected, (int) t.getValue("Index", 0));
        assertEquals(count[2] / 1024.0, t.getValue("p(2)", 0), 1e-6);
    }

    @Test
    void wrongDepthAndLineRoisAreOneLineErrors() throws Exception {
        ImagePlus flat = image("unet");    // one slice for a model that takes 8
        Module m = run(GradCamCommand.class, "net3d", flat);
        assertTrue(((Cancelable) m).isCanceled());
        assertEquals("Grad-CAM: the model takes z-stacks of 8 slices, the image has 1 (make a substack or scale z"
                + " to 8 slices first)", ((Cancelable) m).getCancelReason());

        ImagePlus lined = image("unet");
        lined.setRoi(new ij.gui.Line(1, 1, 20, 20));
        Module l = run(GradCamCommand.class, "unet", lined);
        assertTrue(((Cancelable) l).isCanceled());
        assertTrue(((Cancelable) l).getCancelReason().contains("needs an area"), ((Cancelable) l).getCancelReason());
        assertEquals(null, lined.getOverlay(), "nothing added to the image");
    }
}
