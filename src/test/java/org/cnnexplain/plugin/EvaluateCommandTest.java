package org.cnnexplain.plugin;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.cnnexplain.testutil.CommandContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;
import java.io.File;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.scijava.Cancelable;
import org.scijava.Context;
import org.scijava.command.CommandService;
import org.scijava.module.Module;

/** Plugins › CNN Explain › Evaluate through SciJava, as Fiji and macros run it: a mask file, an ROI, no mask. */
class EvaluateCommandTest {

    @RegisterExtension
    static final CommandContext context = new CommandContext();

    static Module run(ImagePlus image, Object... keyValues) throws Exception {
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("image", image);
        inputs.put("model", TestModels.DEMO_MODEL.toFile());
        inputs.put("device", "cpu");
        inputs.put("methods", "gradcam,cam");
        for (int i = 0; i < keyValues.length; i += 2) {
            inputs.put((String) keyValues[i], keyValues[i + 1]);
        }
        var info = context.service(CommandService.class).getCommand(EvaluateCommand.class);
        return context.service(org.scijava.module.ModuleService.class)
                .run(info, true, CommandInputs.withDefaults(context.get(), info, inputs)).get();
    }

    /**
     * A mask file and the same mask drawn as an ROI give the same table; Grad-CAM and CAM beat chance on
     * the mitotic figure (energy above 1, deletion below random, insertion above deletion); the plot is an image.
     */
    @Test
    void maskFileAndRoiScoreTheMethodsSideBySide() throws Exception {
        Path image = TestModels.firstDemoImage("mitotic");
        File mask = TestModels.DEMO_IMAGES.resolve("masks").resolve(image.getFileName().toString()
                .replace(".tif", ".png")).toFile();
        Module byFile = run(IJ.openImage(image.toString()), "mask", mask);
        ResultsTable t = (ResultsTable) byFile.getOutput("table");
        assertEquals(2, t.size());
        assertEquals("gradcam", t.getStringValue("Method", 0));
        assertEquals("cam", t.getStringValue("Method", 1));
        for (int r = 0; r < 2; r++) {
            assertEquals(1.0, t.getValue("Pointing (15 px)", r));
            assertTrue(t.getValue("Energy ratio", r) > 1, "energy");
            assertTrue(t.getValue("Deletion AUC", r) < t.getValue("Random deletion AUC", r), "deletion vs random");
            assertTrue(t.getValue("Insertion AUC", r) > t.getValue("Deletion AUC", r), "insertion vs deletion");
        }
        ImagePlus plot = (ImagePlus) byFile.getOutput("plot");
        assertNotNull(plot);
        assertTrue(plot.getWidth() > 100);

        ImagePlus withRoi = IJ.openImage(image.toString());
        withRoi.setRoi(Rois.fromMask(IJ.openImage(mask.getPath()), "nucleus"));
        ResultsTable t2 = (ResultsTable) run(withRoi).getOutput("table");
        for (String column : new String[] {"Energy ratio", "Deletion AUC", "Random deletion AUC", "Insertion AUC"}) {
            assertEquals(t.getValue(column, 0), t2.getValue(column, 0), 1e-6, column);
        }
    }

    @Test
    void withoutMaskOrRoiItSaysWhatIsMissing() throws Exception {
        Module m = run(IJ.openImage(TestModels.firstDemoImage("mitotic").toString()));
        assertTrue(((Cancelable) m).isCanceled());
        assertTrue(((Cancelable) m).getCancelReason().contains("draw an area ROI"), ((Cancelable) m).getCancelReason());
        Module bad = run(IJ.openImage(TestModels.firstDemoImage("mitotic").toString()), "mask",
                TestModels.DEMO_IMAGES.resolve("masks/cell_000.png").toFile(), "methods", "gradcam,smoothgrad");
        assertTrue(((Cancelable) bad).getCancelReason().contains("unknown method 'smoothgrad'"),
                ((Cancelable) bad).getCancelReason());
    }
}
