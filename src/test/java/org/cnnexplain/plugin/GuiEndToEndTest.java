package org.cnnexplain.plugin;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.ImageRoi;
import ij.gui.ImageWindow;
import ij.gui.Roi;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * ImageJ 1 with its window, the plugin installed, a demo image open: Grad-CAM
 * from its menu command puts the overlay on the image window. Saves a
 * screenshot as target/gradcam-window.png.
 */
@EnabledIf("org.cnnexplain.plugin.ImageJ1Install#hasDisplay")
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GuiEndToEndTest {

    @Test
    void gradCamFromTheMenuOverlaysTheImageWindow() throws Exception {
        ImageJ1Install.create();
        ImageJ imagej = new ImageJ();
        try {
            assertNotNull(ij.Menus.getCommands().get("Grad-CAM"), "Grad-CAM is not in ImageJ's menus");
            ImagePlus imp = IJ.openImage(TestModels.firstDemoImage("mitotic").toString());
            imp.show();
            IJ.wait(500);
            IJ.run(imp, "Grad-CAM", "model=[" + TestModels.DEMO_MODEL.toAbsolutePath()
                    + "] layer=auto target=top1 variant=gradcam lut=inferno opacity=0.5 normalize=model device=cpu");
            ImageWindow win = imp.getWindow();
            assertNotNull(win, "the image window closed");
            assertNotNull(imp.getOverlay(), "no overlay on the image window");
            boolean heat = false;
            for (Roi r : imp.getOverlay().toArray()) {
                heat |= r instanceof ImageRoi;
            }
            assertTrue(heat, "no heatmap layer on the image window");
            IJ.run(imp, "Set... ", "zoom=300");
            win = imp.getWindow();
            win.toFront();
            imp.updateAndRepaintWindow();
            IJ.wait(2000);
            Rectangle r = win.getBounds();
            r.setLocation(win.getLocationOnScreen());
            BufferedImage shot = new Robot().createScreenCapture(r);
            Path png = Path.of("target", "gradcam-window.png");
            Files.createDirectories(png.getParent());
            ImageIO.write(shot, "png", png.toFile());
            assertTrue(Files.size(png) > 1000);
        } finally {
            for (int id : WindowManager.getIDList() == null ? new int[0] : WindowManager.getIDList()) {
                ImagePlus open = WindowManager.getImage(id);
                open.changes = false;
                open.close();
            }
            imagej.exitWhenQuitting(false);
            imagej.dispose();
        }
    }
}
