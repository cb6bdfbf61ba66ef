package org.cnnexplain.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.ImageRoi;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import java.io.File;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.cnnexplain.render.ResultImages;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.scijava.app.event.StatusEvent;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.event.EventHandler;
import org.scijava.event.EventService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

/**
 * fit=tile in Fiji: an area ROI restricts the tiling to its bounding box, the maps, the class map
 * (class names as slice labels) and the overlay cover that box; cancelling between batches leaves
 * nothing behind; a per-pixel model's output is assembled from tiles with a halo, and its Seg-Grad-CAM
 * over the whole image with the ROI as its target.
 */
class TiledCommandsTest {

    /** Its own context: the shared one has no status service, whose events report the tiles and trigger the cancel. */
    static org.scijava.Context context;

    @org.junit.jupiter.api.BeforeAll
    static void start() {
        context = new org.scijava.Context(CommandService.class, ModelService.class, org.scijava.app.StatusService.class);
    }

    @org.junit.jupiter.api.AfterAll
    static void stop() {
        context.dispose();
    }

    static ImagePlus field() {
        return IJ.openImage("test-images/field/field.tif");
    }

    static Module run(Class<? extends org.scijava.command.Command> type, Map<String, Object> inputs) throws Exception {
        CommandInfo info = context.service(CommandService.class).getCommand(type);
        return context.service(ModuleService.class).run(info, true, CommandInputs.withDefaults(context, info,
                inputs)).get();
    }

    static Map<String, Object> gradcam(ImagePlus image) {
        Map<String, Object> in = new HashMap<>();
        in.put("image", image);
        in.put("model", TestModels.DEMO_MODEL.toFile());
        in.put("device", "cpu");
        in.put("fit", "tile");
        in.put("layer", "block4");
        return in;
    }

    /** A part of the field, as its own image. */
    static ImagePlus crop(int x, int y, int w, int h) {
        ImagePlus whole = field();
        whole.setRoi(new Roi(x, y, w, h));
        return new ImagePlus("crop", whole.getProcessor().crop());
    }

    /** Grad-CAM inputs for a U-Net from the test models, on the CPU, with {@code fit}. */
    static Map<String, Object> unet(ImagePlus image, String model, String fit) {
        Map<String, Object> in = new HashMap<>();
        in.put("image", image);
        in.put("model", new File("src/test/resources/models/" + model));
        in.put("device", "cpu");
        in.put("fit", fit);
        return in;
    }

    /** The Grad-CAM heatmap the command laid over {@code image}. */
    static ImageRoi gradCamOverlay(ImagePlus image) {
        ImageRoi heat = null;
        for (Roi r : image.getOverlay().toArray()) {
            if (r instanceof ImageRoi ir && r.getName().startsWith(ResultImages.ROI_PREFIX + " Grad-CAM")) {
                heat = ir;
            }
        }
        assertTrue(heat != null, "a heatmap overlay");
        return heat;
    }

    @Test
    void anAreaRoiRestrictsTheTilesToItsBoundingBox() throws Exception {
        ImagePlus image = field();
        image.setRoi(new ij.gui.OvalRoi(256, 128, 300, 200));
        Module m = run(GradCamCommand.class, gradcam(image));
        ImagePlus result = (ImagePlus) m.getOutput("result");
        assertEquals(300, result.getWidth());
        assertEquals(200, result.getHeight());
        assertEquals(-256, result.getCalibration().xOrigin, 1e-9);
        assertTrue(result.getInfoProperty().contains("tiled: 4 x 3 tiles of 128 x 128 px, stride 64; target top1 = "),
                result.getInfoProperty());
        ImagePlus classes = (ImagePlus) m.getOutput("classmap");
        assertEquals(4, classes.getStackSize());
        assertEquals("interphase", classes.getStack().getSliceLabel(1));
        assertEquals("empty", classes.getStack().getSliceLabel(4));
        assertEquals(300, classes.getWidth());
        ImageRoi heat = gradCamOverlay(image);
        assertEquals(new java.awt.Rectangle(256, 128, 300, 200), heat.getBounds());
    }

    /**
     * A U-Net of a fixed size with fit=tile: Seg-Grad-CAM over the whole image, the area ROI its target
     * region (not a box to tile); the map and the overlay cover the image, the map at the layer's resolution
     * comes with layerres, and a halo capped below the receptive field is said to be.
     */
    @Test
    void aUNetIsExplainedOverTheWholeImageWithTheRoiAsItsTarget() throws Exception {
        ImagePlus image = crop(300, 200, 256, 192);
        image.setRoi(new ij.gui.OvalRoi(60, 50, 100, 80));
        Map<String, Object> in = unet(image, "seg_demo.onnx", "tile");
        in.put("target", "mitotic");
        in.put("layerres", true);
        Module m = run(GradCamCommand.class, in);
        ImagePlus result = (ImagePlus) m.getOutput("result");
        assertEquals(256, result.getWidth());
        assertEquals(192, result.getHeight());
        String info = result.getInfoProperty();
        System.out.println("U-Net in tiles: " + info);
        assertTrue(info.contains("Seg-Grad-CAM target mitotic, summed over "), info);
        assertTrue(info.contains(" px of the ROI"), info);
        assertTrue(info.contains("less than the receptive field (54 px): outputs near tile edges may differ slightly"
                + " from a run on the whole image, and so may the map"), info);
        assertNull(m.getOutput("classmap"));
        ImagePlus layer = (ImagePlus) m.getOutput("layermaps");
        assertTrue(layer != null && layer.getWidth() < 256 && 256 % layer.getWidth() == 0, "layer maps");
        ImageRoi heat = gradCamOverlay(image);
        assertEquals(new java.awt.Rectangle(0, 0, 256, 192), heat.getBounds());
    }

    /**
     * A U-Net that takes any size, asked for fit=tile (an image too large to run whole): Seg-Grad-CAM in
     * tiles of its default size with a halo of its receptive field gives the map of a run on the whole image.
     */
    @Test
    void aUNetThatTakesAnySizeIsTiledWhenAskedAndGivesTheWholeImagesMap() throws Exception {
        ImagePlus crop = crop(100, 100, 600, 420);
        float[][] maps = new float[2][];
        String[] infos = new String[2];
        for (int i = 0; i < 2; i++) {
            Map<String, Object> in = unet(crop.duplicate(), "unet_dyn_op13.onnx", i == 0 ? "tile" : "error");
            in.put("target", "1");
            ImagePlus result = (ImagePlus) run(GradCamCommand.class, in).getOutput("result");
            assertEquals(600, result.getWidth());
            assertEquals(420, result.getHeight());
            maps[i] = (float[]) result.getProcessor().convertToFloatProcessor().getPixels();
            infos[i] = String.valueOf(result.getInfoProperty());
        }
        System.out.println("any-size U-Net in tiles: " + infos[0]);
        assertTrue(infos[0].contains("tiled: "), infos[0]);
        assertTrue(!infos[0].contains("less than the receptive field"), infos[0]);
        double max = 0;
        double worst = 0;
        for (int p = 0; p < maps[1].length; p++) {
            max = Math.max(max, Math.abs(maps[1][p]));
            worst = Math.max(worst, Math.abs(maps[0][p] - maps[1][p]));
        }
        assertTrue(max > 0, "a map that is not empty");
        assertTrue(worst <= 1e-4 * max, "tiled vs whole: max difference " + worst + " of a maximum " + max);
    }

    @Test
    void cancellingBetweenBatchesLeavesNothingBehind() throws Exception {
        ImagePlus image = field();
        CommandInfo info = context.service(CommandService.class).getCommand(GradCamCommand.class);
        Module module = context.service(ModuleService.class).createModule(info);
        AtomicInteger events = new AtomicInteger();
        Object listener = new Object() {
            @EventHandler
            public void status(StatusEvent e) {
                if (e.getStatusMessage() != null && e.getStatusMessage().contains("tiles")
                        && events.incrementAndGet() == 2) {
                    ((org.scijava.Cancelable) module).cancel("the user pressed cancel");
                }
            }
        };
        context.service(EventService.class).subscribe(listener);
        Map<String, Object> in = gradcam(image);
        in.put("target", "mitotic");
        context.service(ModuleService.class).run(module, true, CommandInputs.withDefaults(context, info, in)).get();
        // status events arrive on the event thread: the run stops at the first batch boundary after the cancel
        assertTrue(events.get() >= 2 && events.get() < 10, "stopped early, after " + events.get() + " of 29 batches");
        assertNull(module.getOutput("result"));
        assertNull(module.getOutput("classmap"));
        assertNull(image.getOverlay());
    }

    @Test
    void aSegmentationModelsOutputIsAssembledFromTilesWithAHalo() throws Exception {
        ImagePlus image = field();
        image.setRoi(new Roi(100, 100, 200, 150));
        Map<String, Object> in = new HashMap<>();
        in.put("image", image);
        in.put("model", new File("src/test/resources/models/seg_demo.onnx"));
        in.put("device", "cpu");
        in.put("fit", "tile");
        Module m = run(PredictCommand.class, in);
        ImagePlus p = (ImagePlus) m.getOutput("probabilities");
        assertEquals(200, p.getWidth());
        assertEquals(150, p.getHeight());
        assertEquals(4, p.getStackSize());
        float[] bg = (float[]) p.getStack().getProcessor(1).getPixels();
        float[] other = (float[]) p.getStack().getProcessor(3).getPixels();
        for (int i = 0; i < bg.length; i += 97) {
            float sum = bg[i] + other[i] + p.getStack().getProcessor(2).getf(i) + p.getStack().getProcessor(4).getf(i);
            assertEquals(1f, sum, 1e-4f, "softmax over the classes at pixel " + i);
        }
        ResultsTable t = (ResultsTable) m.getOutput("table");
        assertEquals(1, t.size());
        assertTrue(t.getValue("p(background)", 0) > 0.5, "mostly background");
    }
}
