package org.cnnexplain.plugin;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.cnnexplain.testutil.CommandContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.FloatProcessor;
import java.io.File;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.scijava.command.CommandService;
import org.scijava.command.DynamicCommand;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

/** Models that take any size in Fiji: layer choices for the current image's size, and runs at the image's size. */
class DynamicSizeCommandsTest {

    @RegisterExtension
    static final CommandContext context = new CommandContext();
    static final File RESNET = new File("src/test/resources/models/resnet18s_dyn_op13.onnx");
    static final File UNET = new File("src/test/resources/models/unet_dyn_op17.onnx");

    static ImagePlus image(int w, int h) {
        float[] px = new float[w * h];
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) Math.sin(i * 0.13) + (i % w) * 0.01f;
        }
        return new ImagePlus("cells", new FloatProcessor(w, h, px));
    }

    static List<String> layerChoices(File model, ImagePlus imp) throws Exception {
        Module module = context.service(ModuleService.class)
                .createModule(context.service(CommandService.class).getCommand(GradCamCommand.class));
        module.setInput("image", imp);
        module.setInput("model", model);
        module.initialize();
        return ((DynamicCommand) module).getInfo().getMutableInput("layer", String.class).getChoices();
    }

    @Test
    void layerChoicesAreTheSpatialLayersAtTheImagesSize() throws Exception {
        String layer4 = "/layer4/layer4.1/relu_1/Relu";
        assertTrue(layerChoices(RESNET, image(72, 40)).contains(layer4), "layer4 is 2 x 3 at 72 x 40");
        List<String> small = layerChoices(RESNET, image(20, 20));
        assertFalse(small.contains(layer4), "layer4 is 1 x 1 at 20 x 20: no map to look at");
        assertTrue(small.contains("/layer3/layer3.1/relu_1/Relu"), small.toString());
    }

    @Test
    void gradCamOfAUNetAtAnImageSizeItMustPad() throws Exception {
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("image", image(50, 37));
        inputs.put("model", UNET);
        inputs.put("device", "cpu");
        inputs.put("normalize", "none");
        var info = context.service(CommandService.class).getCommand(GradCamCommand.class);
        Module m = context.service(ModuleService.class)
                .run(info, true, CommandInputs.withDefaults(context.get(), info, inputs)).get();
        ImagePlus result = (ImagePlus) m.getOutput("result");
        assertEquals(50, result.getWidth());
        assertEquals(37, result.getHeight());
        assertTrue(result.getTitle().contains("dec2"), result.getTitle());
        float max = 0;
        for (float v : (float[]) result.getProcessor().getPixels()) {
            max = Math.max(max, v);
        }
        assertTrue(max > 0, "a map, not zeros");
    }
}
