package org.cnnexplain.plugin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.ImageRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import java.io.File;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.explain.Explainer;
import org.cnnexplain.explain.Explanation;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.render.Luts;
import org.cnnexplain.render.ResultImages;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.scijava.Cancelable;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandService;
import org.scijava.module.Module;

/** Every command through a SciJava Context and CommandService with an input map, as Fiji and macros run them. */
class CommandsTest {

    static Context context;
    static CommandService commands;
    static final File MODEL = TestModels.DEMO_MODEL.toFile();

    @BeforeAll
    static void start() {
        context = new Context(CommandService.class, ModelService.class);
        commands = context.service(CommandService.class);
    }

    @AfterAll
    static void stop() {
        context.dispose();
    }

    static ImagePlus mitotic() {
        return IJ.openImage(TestModels.firstDemoImage("mitotic").toString());
    }

    static Module run(Class<? extends Command> type, Object... keyValues) throws Exception {
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("model", MODEL);
        inputs.put("device", "cpu");
        for (int i = 0; i < keyValues.length; i += 2) {
            inputs.put((String) keyValues[i], keyValues[i + 1]);
        }
        // CommandService finds the command; ModuleService runs it (CommandService.run gives null for DynamicCommands)
        var info = commands.getCommand(type);
        return context.service(org.scijava.module.ModuleService.class)
                .run(info, true, CommandInputs.withDefaults(context, info, inputs)).get();
    }

    static float[] engineMap(ImagePlus imp, ExplainRequest request) {
        ExplainableModel m = context.service(ModelService.class).get(MODEL, "cpu");
        TensorBatch b = TensorBatch.of(ImagePlusImgs.toFloat(imp), 1, Normalization.of("model", m.spec()));
        try (NDManager run = m.newRun()) {
            List<Explanation> e = Explainer.run(m, run, b.toNDArray(run), request);
            return e.get(0).inputMaps().data();
        }
    }

    @Test
    void gradCamReturnsTheEngineMapAndAddsALutOverlay() throws Exception {
        ImagePlus imp = mitotic();
        Module m = run(GradCamCommand.class, "image", imp, "layer", "block4", "target", "mitotic",
                "variant", "gradcam", "guided", false, "lut", "viridis", "opacity", 0.4);
        ImagePlus result = (ImagePlus) m.getOutput("result");
        assertNotNull(result);
        assertEquals(ImagePlus.GRAY32, result.getType());
        assertEquals(128, result.getWidth());
        assertEquals(1, result.getStackSize());
        assertTrue(result.getTitle().contains("Grad-CAM") && result.getTitle().contains("mitotic"), result.getTitle());
        ExplainRequest d = ExplainRequest.defaults(ExplainRequest.Method.GRADCAM);
        float[] expected = engineMap(imp, new ExplainRequest(d.method(), "block4", "mitotic", "logit", "gradcam", false,
                d.rule(), null, 0, d.signal(), d.sort(), d.batch()));
        assertArrayEquals(expected, (float[]) result.getProcessor().getPixels());

        Overlay overlay = imp.getOverlay();
        assertNotNull(overlay, "no overlay on the input");
        ImageRoi heat = null;
        for (Roi r : overlay.toArray()) {
            if (r instanceof ImageRoi ir && r.getName().startsWith(ResultImages.ROI_PREFIX + " Grad-CAM")) {
                heat = ir;
            }
        }
        assertNotNull(heat, "heatmap layer missing");
        assertEquals(0.4, heat.getOpacity(), 1e-6);
        assertTrue(heat.getZeroTransparent());
        // the map's maximum is drawn in viridis' brightest colour
        int peak = org.cnnexplain.model.Prediction.argMax(expected);
        int rgb = heat.getProcessor().get(peak % 128, peak / 128) & 0xffffff;
        assertEquals(Luts.rgb(Luts.get("viridis"), 255), rgb);
    }

    @Test
    void camFeatureMapsDeconvnetAndPredict() throws Exception {
        ImagePlus imp = mitotic();
        ImagePlus cam = (ImagePlus) run(CamCommand.class, "image", imp, "target", "top1", "lut", "inferno",
                "opacity", 0.5).getOutput("result");
        assertEquals(128, cam.getWidth());

        Module fm = run(FeatureMapsCommand.class, "image", imp, "layer", "block2", "channels", "1,2,5", "sort", "none",
                "top", 0);
        ImagePlus maps = (ImagePlus) fm.getOutput("result");
        assertEquals(3, maps.getStackSize());
        assertTrue(maps.getStack().getSliceLabel(1).startsWith("channel 1 "), maps.getStack().getSliceLabel(1));
        assertNotNull(fm.getOutput("montage"));

        ImagePlus dc = (ImagePlus) run(DeconvnetCommand.class, "image", imp, "layer", "block3", "rule", "guided",
                "channels", "", "top", 4, "signal", "peak", "target", "top1").getOutput("result");
        assertEquals(4, dc.getStackSize());

        ResultsTable t = (ResultsTable) run(PredictCommand.class, "image", imp).getOutput("table");
        assertEquals(1, t.size());
        assertEquals("mitotic", t.getStringValue("Predicted", 0));
    }

    @Test
    void stacksAreExplainedPlaneByPlaneWithOneOverlayEach() throws Exception {
        ImagePlus a = mitotic();
        ImagePlus b = IJ.openImage(TestModels.firstDemoImage("speckled").toString());
        ImageStack stack = new ImageStack(128, 128);
        stack.addSlice(a.getProcessor());
        stack.addSlice(b.getProcessor());
        ImagePlus imp = new ImagePlus("two", stack);
        ImagePlus result = (ImagePlus) run(GradCamCommand.class, "image", imp, "layer", "auto", "target", "top1",
                "variant", "gradcam", "guided", false, "lut", "inferno", "opacity", 0.5).getOutput("result");
        assertEquals(2, result.getStackSize());
        assertTrue(result.getStack().getSliceLabel(1).startsWith("z=1: mitotic"), result.getStack().getSliceLabel(1));
        assertTrue(result.getStack().getSliceLabel(2).startsWith("z=2: speckled"), result.getStack().getSliceLabel(2));
        long onSlice2 = java.util.Arrays.stream(imp.getOverlay().toArray())
                .filter(r -> r instanceof ImageRoi && r.getName().startsWith(ResultImages.ROI_PREFIX + " Grad-CAM")
                        && r.getPosition() == 2).count();
        assertEquals(1, onSlice2);
    }

    @Test
    void userErrorsCancelWithAOneLineReasonAndLeaveTheImageAlone() throws Exception {
        ImagePlus imp = mitotic();
        Module m = run(GradCamCommand.class, "image", imp, "layer", "blok4", "target", "top1", "variant", "gradcam",
                "guided", false, "lut", "inferno", "opacity", 0.5);
        assertTrue(((Cancelable) m).isCanceled());
        String reason = ((Cancelable) m).getCancelReason();
        assertTrue(reason.startsWith("Grad-CAM: unknown layer 'blok4'") && !reason.contains("\n"), reason);
        assertNull(m.getOutput("result"));
        assertNull(imp.getOverlay());

        Module missing = run(CamCommand.class, "image", imp, "model", new File("nope.onnx"), "target", "top1",
                "lut", "inferno", "opacity", 0.5);
        assertTrue(((Cancelable) missing).getCancelReason().contains("model file not found"));

        ImagePlus rgb = IJ.createImage("rgb", "RGB", 128, 128, 1);
        Module channels = run(PredictCommand.class, "image", rgb);
        assertTrue(((Cancelable) channels).getCancelReason().contains("3 channels but the model expects 1"));
    }

    @Test
    void imagesOfAnotherSizeAreResizedOnlyWhenAsked() throws Exception {
        ImagePlus big = mitotic();
        big.setProcessor(big.getProcessor().resize(160, 160, true));
        Module refused = run(GradCamCommand.class, "image", big, "layer", "auto", "target", "top1",
                "variant", "gradcam", "guided", false, "lut", "inferno", "opacity", 0.5);
        assertTrue(((Cancelable) refused).getCancelReason().contains("fit=resize"),
                ((Cancelable) refused).getCancelReason());
        Module resized = run(GradCamCommand.class, "image", big, "layer", "auto", "target", "top1",
                "variant", "gradcam", "guided", false, "lut", "inferno", "opacity", 0.5, "fit", "resize");
        ImagePlus result = (ImagePlus) resized.getOutput("result");
        assertEquals(160, result.getWidth());
        assertEquals("mitotic", result.getStack().getSliceLabel(1));
    }

    @Test
    void dialogsOfferTheModelsLayersAndClasses() throws Exception {
        Module module = context.service(org.scijava.module.ModuleService.class)
                .createModule(commands.getCommand(GradCamCommand.class));
        module.setInput("model", MODEL);
        module.initialize();
        org.scijava.command.DynamicCommand dynamic = (org.scijava.command.DynamicCommand) module;
        List<String> layers = dynamic.getInfo().getMutableInput("layer", String.class).getChoices();
        List<String> targets = dynamic.getInfo().getMutableInput("target", String.class).getChoices();
        assertEquals("auto", layers.get(0));
        assertTrue(layers.contains("block4") && layers.contains("/block4/block4.2/Relu"), layers.toString());
        assertEquals(List.of("top1", "interphase", "mitotic", "speckled", "empty"), targets);
    }

    @Test
    void aRememberedDialogValueNeverLeaksIntoAScriptedRun() throws Exception {
        ImagePlus imp = mitotic();
        // a first run with HiResCAM: SciJava remembers the choice for the next dialog
        ImagePlus hires = (ImagePlus) run(GradCamCommand.class, "image", imp, "variant", "hirescam").getOutput("result");
        assertTrue(hires.getTitle().contains("HiResCAM"), hires.getTitle());
        // a scripted run that does not name a variant gets the command's default, Grad-CAM
        ImagePlus plain = (ImagePlus) run(GradCamCommand.class, "image", mitotic()).getOutput("result");
        assertTrue(plain.getTitle().contains("– Grad-CAM ("), plain.getTitle());
    }
}
