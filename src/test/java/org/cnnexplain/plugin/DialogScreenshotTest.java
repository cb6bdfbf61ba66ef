package org.cnnexplain.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.Prefs;
import ij.gui.GenericDialog;
import java.awt.Choice;
import java.awt.Component;
import java.awt.Container;
import java.awt.Label;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.TextField;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.awt.event.ItemEvent;
import java.awt.event.WindowEvent;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The ImageJ 1 Grad-CAM dialog as a person sees it: sections in order, the Score-CAM batch greyed
 * out for other variants, the last model remembered. Saves a screenshot as target/dialog.png.
 */
@EnabledIf("org.cnnexplain.plugin.ImageJ1Install#hasDisplay")
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DialogScreenshotTest {

    @Test
    void gradCamDialogReadsTopDownAndRemembersTheModel() throws Exception {
        var info = IJ1Bridge.context().service(org.scijava.command.CommandService.class).getCommand(GradCamCommand.class);
        String model = TestModels.DEMO_MODEL.toAbsolutePath().toString();
        Prefs.set(IJ1Bridge.MODEL_PREF, "");

        // first dialog: choose the model, OK
        CompletableFuture<Map<String, Object>> first = CompletableFuture.supplyAsync(() -> IJ1Bridge.ask(info));
        GenericDialog gd = awaitDialog();
        ((TextField) gd.getStringFields().get(0)).setText(model);
        gd.actionPerformed(new ActionEvent(gd.getButtons()[0], ActionEvent.ACTION_PERFORMED, "OK"));
        Map<String, Object> inputs = first.get(30, TimeUnit.SECONDS);
        assertEquals(new File(model), inputs.get("model"));
        assertEquals(model, Prefs.get(IJ1Bridge.MODEL_PREF, ""));

        // second dialog: the model is still there; sections in order; batch only for Score-CAM
        CompletableFuture<Map<String, Object>> second = CompletableFuture.supplyAsync(() -> IJ1Bridge.ask(info));
        gd = awaitDialog();
        assertEquals(model, ((TextField) gd.getStringFields().get(0)).getText(), "the last model is not remembered");
        List<String> labels = labels(gd);
        int explain = labels.indexOf("What to explain");
        int display = labels.indexOf("Display");
        int advanced = labels.indexOf("Advanced");
        int layer = indexStartingWith(labels, "Layer");
        int normalize = indexStartingWith(labels, "Normalize");
        assertTrue(explain >= 0 && explain < indexStartingWith(labels, "Model") && layer < display
                && display < advanced && advanced < normalize, String.join(" | ", labels));
        TextField batch = fieldAfter(gd, "Batch size");
        assertFalse(batch.isEnabled(), "Score-CAM's batch is enabled for Grad-CAM");
        Choice variant = (Choice) gd.getChoices().get(0);
        variant.select("scorecam");
        gd.itemStateChanged(new ItemEvent(variant, ItemEvent.ITEM_STATE_CHANGED, "scorecam", ItemEvent.SELECTED));
        assertTrue(batch.isEnabled(), "Score-CAM's batch is disabled for Score-CAM");
        variant.select("gradcam");
        gd.itemStateChanged(new ItemEvent(variant, ItemEvent.ITEM_STATE_CHANGED, "gradcam", ItemEvent.SELECTED));
        assertNotNull(gd.getButtons()[3], "no Help button");   // OK, Cancel, No, Help

        screenshot(gd, "dialog.png");
        gd.windowClosing(new WindowEvent(gd, WindowEvent.WINDOW_CLOSING));
        assertNull(second.get(30, TimeUnit.SECONDS), "cancel must give no inputs");
        Prefs.set(IJ1Bridge.MODEL_PREF, "");
    }

    /** Brings {@code gd} to the front and saves what the screen shows of it as target/{@code name}. */
    static void screenshot(GenericDialog gd, String name) throws Exception {
        gd.toFront();
        Thread.sleep(1000);
        // the screen where the window says it is (without a window manager, Robot's offsets are unreliable)
        Rectangle r = new Rectangle(gd.getLocationOnScreen(), gd.getSize());
        Rectangle screen = new Rectangle(java.awt.Toolkit.getDefaultToolkit().getScreenSize());
        Path png = Path.of("target", name);
        Files.createDirectories(png.getParent());
        ImageIO.write(new Robot().createScreenCapture(r.intersection(screen)), "png", png.toFile());
        System.out.println("dialog at " + r + " on a screen of " + screen);
    }

    static GenericDialog awaitDialog() throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            for (Window w : Window.getWindows()) {
                if (w instanceof GenericDialog gd && gd.isShowing()) {
                    Thread.sleep(300);
                    return gd;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no dialog appeared");
    }

    /** The first text field after the label that starts with {@code prefix}, in the dialog's reading order. */
    private static TextField fieldAfter(Container c, String prefix) {
        List<Component> flat = new ArrayList<>();
        flatten(c, flat);
        boolean seen = false;
        for (Component k : flat) {
            if (k instanceof Label l && l.getText().startsWith(prefix)) {
                seen = true;
            } else if (seen && k instanceof TextField t) {
                return t;
            }
        }
        throw new AssertionError("no field labelled " + prefix + ": " + labels(c));
    }

    private static void flatten(Container c, List<Component> out) {
        for (Component k : c.getComponents()) {
            out.add(k);
            if (k instanceof Container sub) {
                flatten(sub, out);
            }
        }
    }

    static List<String> labels(Container c) {
        List<String> out = new ArrayList<>();
        for (Component k : c.getComponents()) {
            if (k instanceof Label l) {
                out.add(l.getText());
            } else if (k instanceof Container sub) {
                out.addAll(labels(sub));
            }
        }
        return out;
    }

    private static int indexStartingWith(List<String> labels, String prefix) {
        for (int i = 0; i < labels.size(); i++) {
            if (labels.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
