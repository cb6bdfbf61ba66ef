package org.cnnexplain.cli;

import static org.cnnexplain.cli.CliTest.assertUserError;
import static org.cnnexplain.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The explanation subcommands write the documented files, and never overwrite silently. */
class ExplainCliTest {

    @TempDir
    Path tmp;

    static final String MODEL = TestModels.DEMO_MODEL.toString();
    static final Path MITOTIC = TestModels.firstDemoImage("mitotic");
    static final String IMAGE = MITOTIC.toString();
    static final String STEM = MITOTIC.getFileName().toString().replace(".tif", "");

    @Test
    void gradcamWritesRawMapsOverlayAndPredictions() throws Exception {
        CliTest.Result r = run("gradcam", "--model", MODEL, "--input", IMAGE, "--output", tmp.toString(), "--guided",
                "--target", "mitotic", "--layer", "block4");
        assertEquals(0, r.code(), r.err());
        ImagePlus map = IJ.openImage(tmp.resolve(STEM + "_gradcam.tif").toString());
        assertEquals(ImagePlus.GRAY32, map.getType());
        assertEquals(128, map.getWidth());
        ImagePlus layer = IJ.openImage(tmp.resolve(STEM + "_gradcam_layer.tif").toString());
        assertEquals(16, layer.getWidth());
        assertTrue(Files.size(tmp.resolve(STEM + "_gradcam_overlay.png")) > 0);
        assertTrue(Files.exists(tmp.resolve(STEM + "_guidedgradcam.tif")));
        // the raw map peaks inside the mitotic figure's mask
        ImagePlus mask = IJ.openImage(TestModels.DEMO_IMAGES.resolve("masks/" + STEM + ".png").toString());
        float[] v = (float[]) map.getProcessor().getPixels();
        int peak = org.cnnexplain.model.Prediction.argMax(v);
        assertTrue(mask.getProcessor().get(peak % 128, peak / 128) > 0, "Grad-CAM peak outside the mitotic figure");
        List<String> csv = Files.readAllLines(tmp.resolve("predictions.csv"));
        assertEquals("image,slice,predicted_index,predicted_class,probability,p_interphase,p_mitotic,p_speckled,p_empty",
                csv.get(0));
        assertTrue(csv.get(1).startsWith(STEM + ".tif,1,1,mitotic,"), csv.get(1));
    }

    /** The smoothing options reach the command: the title says copies, noise and seed; the same seed, the same map. */
    @Test
    void smoothingOptionsAreReproducible() throws Exception {
        String[] common = {"--model", MODEL, "--input", IMAGE, "--layer", "block3", "--variant", "smoothgradcampp",
                "--samples", "2", "--smoothgrad", "2", "--noise", "0.1", "--seed", "3", "--augment"};
        for (String dir : new String[] {"a", "b"}) {
            java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("gradcam"));
            argv.addAll(java.util.List.of(common));
            argv.addAll(java.util.List.of("--output", tmp.resolve(dir).toString()));
            CliTest.Result r = run(argv.toArray(new String[0]));
            assertEquals(0, r.code(), r.err());
        }
        ImagePlus a = IJ.openImage(tmp.resolve("a/" + STEM + "_smoothgradcampp.tif").toString());
        ImagePlus b = IJ.openImage(tmp.resolve("b/" + STEM + "_smoothgradcampp.tif").toString());
        assertTrue(a.getStack().getSliceLabel(1).contains("seed 3"), a.getStack().getSliceLabel(1));
        assertArrayEquals((float[]) a.getProcessor().getPixels(), (float[]) b.getProcessor().getPixels());
    }

    @Test
    void featureMapsAndDeconvnetWriteOneSlicePerChannelWithLabels() {
        assertEquals(0, run("featuremaps", "--model", MODEL, "--input", IMAGE, "--output", tmp.resolve("fm").toString(),
                "--layer", "block2", "--channels", "0,3-5").code());
        ImagePlus fm = IJ.openImage(tmp.resolve("fm/" + STEM + "_featuremaps.tif").toString());
        assertEquals(4, fm.getStackSize());
        assertTrue(fm.getStack().getSliceLabel(2).startsWith("channel 3 "), fm.getStack().getSliceLabel(2));

        assertEquals(0, run("deconvnet", "--model", MODEL, "--input", IMAGE, "--output", tmp.resolve("dc").toString(),
                "--layer", "block3", "--top", "3", "--rule", "guided").code());
        ImagePlus dc = IJ.openImage(tmp.resolve("dc/" + STEM + "_guided.tif").toString());
        assertEquals(3, dc.getStackSize());
        assertEquals(128, dc.getWidth());
    }

    @Test
    void existingOutputsAreNeverOverwrittenSilently() throws Exception {
        Path csv = Files.writeString(tmp.resolve("predictions.csv"), "keep me\n");
        assertUserError(run("cam", "--model", MODEL, "--input", IMAGE, "--output", tmp.toString()), "--overwrite");
        assertEquals("keep me\n", Files.readString(csv));
        assertEquals(0, run("cam", "--model", MODEL, "--input", IMAGE, "--output", tmp.toString(), "--overwrite").code());
        assertTrue(Files.exists(tmp.resolve(STEM + "_cam.tif")));
    }

    @Test
    void badParametersAreOneLineErrors() throws Exception {
        String out = tmp.resolve("out").toString();
        // a failed run leaves no predictions.csv behind, so each of these meets the same empty folder
        assertUserError(run("gradcam", "--model", MODEL, "--input", IMAGE, "--output", out, "--layer", "blok4"),
                "closest valid names");
        assertUserError(run("gradcam", "--model", MODEL, "--input", IMAGE, "--output", out, "--target", "9"),
                "interphase, mitotic, speckled");
        assertUserError(run("gradcam", "--model", MODEL, "--input", IMAGE, "--output", out, "--variant", "supercam"),
                "unknown variant 'supercam'");
        assertUserError(run("featuremaps", "--model", MODEL, "--input", IMAGE, "--output", out, "--channels", "99"),
                "channel 99 is out of range");
        String vgg = TestModels.parityModel("vgg11bns", 13).toString();
        assertUserError(run("cam", "--model", vgg, "--input", IMAGE, "--output", out), "expects input of 64 x 64 pixels");
        ImagePlus small = IJ.openImage(IMAGE);
        small.setRoi(0, 0, 64, 64);
        Path smallFile = tmp.resolve("small.tif");
        IJ.saveAsTiff(small.crop(), smallFile.toString());
        assertUserError(run("cam", "--model", vgg, "--input", smallFile.toString(), "--output", out),
                "global average pooling");
        assertTrue(List.of(tmp.resolve("out").toFile().list()).isEmpty(),
                "files left behind: " + List.of(tmp.resolve("out").toFile().list()));
    }

    @Test
    void headlessRunOverTheDemoFolder() throws Exception {
        CliTest.Result r = run("cam", "--model", MODEL, "--input", TestModels.DEMO_IMAGES.toString(), "--output",
                tmp.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(java.awt.GraphicsEnvironment.isHeadless(), "the CLI must run headless");
        long images;
        try (var files = Files.list(TestModels.DEMO_IMAGES)) {
            images = files.filter(p -> p.toString().endsWith(".tif")).count();
        }
        assertEquals(images + 1, Files.readAllLines(tmp.resolve("predictions.csv")).size());
        try (var files = Files.list(tmp)) {
            assertEquals(images, files.filter(p -> p.toString().endsWith("_cam_overlay.png")).count());
        }
    }

    /** A U-Net explained over a mask file's region, and a 3-D CNN on a z-stack TIFF: maps are z-stacks. */
    @Test
    void roiMaskAndZStacks() throws Exception {
        ImagePlus unet = org.cnnexplain.plugin.VolumeSegmentationCommandsTest.image("unet");
        IJ.saveAsTiff(unet, tmp.resolve("cells.tif").toString());
        ij.process.ByteProcessor mask = new ij.process.ByteProcessor(32, 32);
        mask.setRoi(8, 10, 12, 14);
        mask.setValue(255);
        mask.fill();
        IJ.saveAsTiff(new ImagePlus("mask", mask), tmp.resolve("mask.tif").toString());
        String unetModel = TestModels.parityModel("unet", 13).toString();
        CliTest.Result r = run("gradcam", "--model", unetModel, "--input", tmp.resolve("cells.tif").toString(),
                "--output", tmp.resolve("seg").toString(), "--roi", tmp.resolve("mask.tif").toString(),
                "--normalize", "none", "--layer", "bottleneck");
        assertEquals(0, r.code(), r.err());
        ImagePlus map = IJ.openImage(tmp.resolve("seg/cells_gradcam.tif").toString());
        org.cnnexplain.testutil.Compare.assertClose((float[]) map.getProcessor().getPixels(), new long[] {1, 32, 32},
                org.cnnexplain.plugin.VolumeSegmentationCommandsTest.first("unet", "gradcam_input.npy"), 1e-3,
                "Seg-Grad-CAM over the mask");

        ij.process.ByteProcessor small = new ij.process.ByteProcessor(16, 16);
        small.set(3, 3, 1);
        IJ.saveAsTiff(new ImagePlus("small", small), tmp.resolve("small.tif").toString());
        CliTest.Result wrong = run("gradcam", "--model", unetModel, "--input", tmp.resolve("cells.tif").toString(),
                "--output", tmp.resolve("seg2").toString(), "--roi", tmp.resolve("small.tif").toString());
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("the ROI mask small.tif is 16 x 16 pixels"), wrong.err());
        CliTest.Result classifier = run("gradcam", "--model", MODEL, "--input", IMAGE,
                "--output", tmp.resolve("seg3").toString(), "--roi", tmp.resolve("mask.tif").toString());
        assertEquals(2, classifier.code());
        assertTrue(classifier.err().contains("--roi needs a model with a per-pixel output"), classifier.err());

        IJ.saveAsTiff(org.cnnexplain.plugin.VolumeSegmentationCommandsTest.image("net3d"),
                tmp.resolve("stack.tif").toString());
        CliTest.Result vol = run("gradcam", "--model", TestModels.parityModel("net3d", 13).toString(), "--input",
                tmp.resolve("stack.tif").toString(), "--output", tmp.resolve("vol").toString(), "--normalize", "none");
        assertEquals(0, vol.code(), vol.err());
        ImagePlus maps = IJ.openImage(tmp.resolve("vol/stack_gradcam.tif").toString());
        assertEquals(8, maps.getStackSize(), "one map per z-slice, one file for the stack");
        assertTrue(Files.size(tmp.resolve("vol/stack_gradcam_overlay.png")) > 0);
        assertEquals(2, Files.readAllLines(tmp.resolve("vol/predictions.csv")).size(), "one prediction per stack");
    }
}
