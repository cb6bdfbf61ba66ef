package org.cnnexplain.cli;

import static org.cnnexplain.cli.CliTest.assertUserError;
import static org.cnnexplain.cli.CliTest.run;
import static org.cnnexplain.testutil.Compare.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ij.IJ;
import ij.ImagePlus;
import ij.process.FloatProcessor;
import java.nio.file.Path;
import java.util.Arrays;
import org.cnnexplain.testutil.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models with dynamic height and width through the CLI, no spec file: {@code predict} and
 * {@code gradcam} on images of two sizes (one non-square, one the U-Net must pad) against the
 * PyTorch goldens of make_dynamic_models.py, and {@code layers --size}.
 */
class DynamicSizeCliTest {

    @TempDir
    Path tmp;

    static final String RESNET = "src/test/resources/models/resnet18s_dyn_op17.onnx";
    static final String UNET = "src/test/resources/models/unet_dyn_op13.onnx";

    /** Sample 0 of a golden input as a 32-bit TIFF, the way a user has it (normalize=none keeps the values). */
    Path image(String tag) {
        Npy in = Npy.read(Path.of("src/test/resources/golden/dynamic", tag, "input.npy"));
        int h = (int) in.shape()[2];
        int w = (int) in.shape()[3];
        Path file = tmp.resolve(tag + ".tif");
        IJ.saveAsTiff(new ImagePlus(tag, new FloatProcessor(w, h, Arrays.copyOf(in.data(), w * h))), file.toString());
        return file;
    }

    static Npy sample0(String tag, String file) {
        Npy all = Npy.read(Path.of("src/test/resources/golden/dynamic", tag, file));
        long[] shape = all.shape().clone();
        int per = all.data().length / (int) shape[0];
        shape[0] = 1;
        return new Npy(shape, Arrays.copyOf(all.data(), per));
    }

    @Test
    void predictAndGradcamOfAClassifierAtTwoSizes() throws Exception {
        for (String tag : new String[] {"resnet18s_64x64", "resnet18s_40x72"}) {
            Path img = image(tag);
            CliTest.Result p = run("predict", "--model", RESNET, "--input", img.toString(), "--normalize", "none");
            assertEquals(0, p.code(), p.err());
            JsonObject o = JsonParser.parseString(p.out().lines().findFirst().orElseThrow()).getAsJsonObject();
            float[] scores = new float[5];
            for (int k = 0; k < 5; k++) {
                scores[k] = o.getAsJsonArray("scores").get(k).getAsFloat();
            }
            assertClose(scores, new long[] {1, 5}, sample0(tag, "logits.npy"), 1e-4, tag + " predict");
            Path out = tmp.resolve(tag);
            CliTest.Result g = run("gradcam", "--model", RESNET, "--input", img.toString(), "--normalize", "none",
                    "--output", out.toString());
            assertEquals(0, g.code(), g.err());
            checkMap(out.resolve(tag + "_gradcam.tif"), sample0(tag, "gradcam_input.npy"), tag);
        }
    }

    @Test
    void gradcamOfAUNetAtANonSquareSizeAndAtOneItMustPad() throws Exception {
        for (String tag : new String[] {"unet_40x72", "unet_37x50_padded"}) {
            Path img = image(tag);
            Path out = tmp.resolve(tag);
            CliTest.Result g = run("gradcam", "--model", UNET, "--input", img.toString(), "--normalize", "none",
                    "--output", out.toString());
            assertEquals(0, g.code(), g.err());
            checkMap(out.resolve(tag + "_gradcam.tif"), sample0(tag, "gradcam_input.npy"), tag);
        }
    }

    @Test
    void layersForAGivenSize() {
        CliTest.Result r = run("layers", "--model", RESNET, "--size", "72x40");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("/layer4/layer4.1/relu_1/Relu\tRelu\t1x32x2x3"), r.out());
        assertTrue(r.out().contains("/conv1/Conv\tConv\t1x4x20x36"), r.out());
        CliTest.Result d = run("layers", "--model", UNET);
        assertEquals(0, d.code(), d.err());
        assertTrue(d.err().contains("256x256"), d.err());
        assertTrue(d.out().contains("/head/Conv\tConv\t1x3x256x256"), d.out());
        assertUserError(run("layers", "--model", UNET, "--size", "50x37"), "multiples of 4 x 4");
        assertUserError(run("layers", "--model", UNET, "--size", "fifty"), "WIDTHxHEIGHT");
    }

    private static void checkMap(Path file, Npy expected, String what) {
        ImagePlus map = IJ.openImage(file.toString());
        assertEquals(ImagePlus.GRAY32, map.getType(), what);
        float[] v = (float[]) map.getProcessor().getPixels();
        assertClose(v, new long[] {1, map.getHeight(), map.getWidth()}, expected, 1e-4, what + " gradcam");
    }
}
