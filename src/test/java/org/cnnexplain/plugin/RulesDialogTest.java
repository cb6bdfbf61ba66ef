package org.cnnexplain.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.Prefs;
import ij.gui.GenericDialog;
import java.awt.TextField;
import java.awt.event.ActionEvent;
import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The ImageJ 1 Rules dialog as a person sees it: the folder first, then the model (remembered, and
 * only in the model's field), sections in order; OK gives the command's inputs. Saves a screenshot
 * as target/rules-dialog.png.
 */
@EnabledIf("org.cnnexplain.plugin.ImageJ1Install#hasDisplay")
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RulesDialogTest {

    @Test
    void rulesDialogAsksForTheFolderFirstAndRemembersOnlyTheModel() throws Exception {
        var info = IJ1Bridge.context().service(org.scijava.command.CommandService.class).getCommand(RulesCommand.class);
        String model = TestModels.DEMO_MODEL.toAbsolutePath().toString();
        Prefs.set(IJ1Bridge.MODEL_PREF, model);
        try {
            CompletableFuture<Map<String, Object>> asked = CompletableFuture.supplyAsync(() -> IJ1Bridge.ask(info));
            GenericDialog gd = DialogScreenshotTest.awaitDialog();
            List<String> labels = DialogScreenshotTest.labels(gd);
            int folder = startingWith(labels, "Folder");
            int modelAt = startingWith(labels, "Model");
            int display = labels.indexOf("Display");
            int advanced = labels.indexOf("Advanced");
            int atlas = startingWith(labels, "Atlas");
            int alpha = startingWith(labels, "Alpha");
            assertTrue(folder < modelAt && modelAt < display && display < atlas && atlas < advanced && advanced < alpha,
                    String.join(" | ", labels));
            // string fields: folder, model, layer, atlas, output
            TextField folderField = (TextField) gd.getStringFields().get(0);
            assertEquals("", folderField.getText(), "the remembered model must not land in the folder field");
            assertEquals(model, ((TextField) gd.getStringFields().get(1)).getText());
            assertEquals("", ((TextField) gd.getStringFields().get(3)).getText());
            folderField.setText(TestModels.DEMO_IMAGES.toAbsolutePath().toString());

            DialogScreenshotTest.screenshot(gd, "rules-dialog.png");

            gd.actionPerformed(new ActionEvent(gd.getButtons()[0], ActionEvent.ACTION_PERFORMED, "OK"));
            Map<String, Object> inputs = asked.get(30, TimeUnit.SECONDS);
            assertEquals(TestModels.DEMO_IMAGES.toAbsolutePath().toFile(), inputs.get("folder"));
            assertEquals(new File(model), inputs.get("model"));
            assertEquals("max", inputs.get("pool"));
            assertEquals(3, inputs.get("depth"));
            assertEquals(5, inputs.get("minleaf"));
            assertEquals(null, inputs.get("atlas"));
            assertEquals(false, inputs.get("overwrite"));
        } finally {
            Prefs.set(IJ1Bridge.MODEL_PREF, "");
        }
    }

    private static int startingWith(List<String> labels, String prefix) {
        return labels.indexOf(labels.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow());
    }
}
