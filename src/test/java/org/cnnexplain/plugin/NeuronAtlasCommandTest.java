package org.cnnexplain.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.ResultsTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cnnexplain.testutil.CommandContext;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Cancelable;
import org.scijava.command.CommandService;
import org.scijava.module.Module;

/**
 * Plugins › CNN Explain › Neuron Atlas through SciJava, as Fiji and macros run it: over a folder, and over
 * the same images as the planes of an open stack — which must find the same neurons.
 */
class NeuronAtlasCommandTest {

    @RegisterExtension
    static final CommandContext context = new CommandContext();

    @TempDir
    Path tmp;

    static Module run(Object... keyValues) throws Exception {
        Map<String, Object> inputs = new HashMap<>();
        inputs.put("model", TestModels.DEMO_MODEL.toFile());
        inputs.put("device", "cpu");
        inputs.put("layer", "block4");
        inputs.put("top", 3);
        inputs.put("channels", "2,9");
        for (int i = 0; i < keyValues.length; i += 2) {
            inputs.put((String) keyValues[i], keyValues[i + 1]);
        }
        var info = context.service(CommandService.class).getCommand(NeuronAtlasCommand.class);
        return context.service(org.scijava.module.ModuleService.class)
                .run(info, true, CommandInputs.withDefaults(context.get(), info, inputs)).get();
    }

    @Test
    void aFolderAndTheSameImagesAsAStackGiveTheSameNeurons() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cells"));
        List<Path> files;
        try (var all = Files.list(TestModels.DEMO_IMAGES)) {
            files = all.filter(p -> p.toString().endsWith(".tif")).sorted().limit(4).toList();
        }
        ImageStack stack = new ImageStack(128, 128);
        for (Path f : files) {
            Files.copy(f, dir.resolve(f.getFileName()));
            stack.addSlice(IJ.openImage(f.toString()).getProcessor());
        }
        Module byFolder = run("folder", dir.toFile(), "image", null);
        assertTrue(!((Cancelable) byFolder).isCanceled(), ((Cancelable) byFolder).getCancelReason());
        ResultsTable folderTable = (ResultsTable) byFolder.getOutput("neurons");
        assertEquals(6, folderTable.size());   // 2 channels x top 3
        ImagePlus montage = (ImagePlus) byFolder.getOutput("montage");
        assertNotNull(montage);
        assertTrue(montage.getWidth() > 300 && montage.getHeight() > 100);
        ImagePlus plot = (ImagePlus) byFolder.getOutput("plot");
        assertEquals(4, plot.getStackSize());   // one plot per class
        ResultsTable importance = (ResultsTable) byFolder.getOutput("table");
        assertEquals(4 * 64, importance.size());

        Module byStack = run("image", new ImagePlus("cells", stack), "importance", false);
        ResultsTable stackTable = (ResultsTable) byStack.getOutput("neurons");
        assertEquals(6, stackTable.size());
        for (int r = 0; r < 6; r++) {
            // a file's slice is 1; a stack's neuron is in the plane that holds that file
            int plane = (int) stackTable.getValue("Slice", r);
            assertEquals(files.get(plane - 1).getFileName().toString(), folderTable.getStringValue("Image", r));
            assertEquals("cells", stackTable.getStringValue("Image", r));
            for (String column : new String[] {"Channel", "X", "Y", "RF x0", "RF y1"}) {
                assertEquals(folderTable.getValue(column, r), stackTable.getValue(column, r), column);
            }
            assertEquals(folderTable.getValue("Activation", r), stackTable.getValue("Activation", r), 1e-5);
        }
    }

    @Test
    void neitherFolderNorImageSaysWhatIsMissing() throws Exception {
        Module m = run("image", null);
        assertTrue(((Cancelable) m).isCanceled());
        assertTrue(((Cancelable) m).getCancelReason().contains("give a folder of images"),
                ((Cancelable) m).getCancelReason());
    }
}
