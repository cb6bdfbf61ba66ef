package org.cnnexplain.plugin;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.cnnexplain.testutil.CommandContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ij.measure.ResultsTable;
import java.io.File;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Cancelable;
import org.scijava.command.CommandService;
import org.scijava.module.Module;

/** The Fiji {@code model} parameter takes a bioimage.io package: its .zip, folder or rdf.yaml. */
class BioImageIoCommandTest {

    @RegisterExtension
    static final CommandContext context = new CommandContext();

    @TempDir
    static Path tmp;

    @Test
    void predictTakesThePackageZipFolderAndYaml() throws Exception {
        Path folder = Path.of("src/test/resources/bioimageio/demo.bioimageio");
        Path zip = org.cnnexplain.testutil.Zips.zip(folder, tmp.resolve("demo.zip"));
        for (Path model : new Path[] {zip, folder, folder.resolve("bioimageio.yaml")}) {
            Map<String, Object> inputs = new HashMap<>();
            inputs.put("model", model.toFile());
            inputs.put("device", "cpu");
            inputs.put("image", CommandsTest.mitotic());
            var info = context.service(CommandService.class).getCommand(PredictCommand.class);
            Module m = context.service(org.scijava.module.ModuleService.class)
                    .run(info, true, CommandInputs.withDefaults(context.get(), info, inputs)).get();
            assertNull(((Cancelable) m).getCancelReason(), model.toString());
            ResultsTable t = (ResultsTable) m.getOutput("table");
            assertEquals("mitotic", t.getStringValue("Predicted", 0), model.toString());
        }
    }
}
