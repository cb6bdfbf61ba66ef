package org.cnnexplain.cli;

import static org.cnnexplain.cli.CliTest.assertUserError;
import static org.cnnexplain.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code maximize} as scripts run it: the files it writes, the raw-intensity stack, and its errors. */
class MaximizeCliTest {

    static final String MODEL = TestModels.DEMO_MODEL.toString();

    @TempDir
    Path tmp;

    @Test
    void aClassWritesItsImageMontageAndTableButNoRawStackWithoutImages() throws Exception {
        Path out = tmp.resolve("a");
        CliTest.Result r = run("maximize", "--model", MODEL, "--target", "mitotic", "--steps", "3", "--output",
                out.toString(), "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        ImagePlus stack = IJ.openImage(out.resolve("maximize.tif").toString());
        assertEquals(1, stack.getStackSize());
        assertEquals(ImagePlus.GRAY32, stack.getType());
        assertEquals(128, stack.getWidth());
        assertTrue(stack.getStack().getSliceLabel(1).startsWith("class mitotic (logit"), stack.getStack().getSliceLabel(1));
        assertTrue(Files.exists(out.resolve("maximize_montage.png")));
        assertFalse(Files.exists(out.resolve("maximize_raw.tif")));
        assertTrue(r.err().contains("no maximize_raw.tif"), r.err());
        List<String> csv = Files.readAllLines(out.resolve("maximize.csv"));
        assertEquals("unit,kind,layer,index,objective,activation,probability,image_max", csv.get(0));
        assertTrue(csv.get(1).startsWith("class mitotic,class,,1,"), csv.get(1));
        assertUserError(run("maximize", "--model", MODEL, "--target", "mitotic", "--steps", "3", "--output",
                out.toString()), "exists; use --overwrite");
    }

    /**
     * With an image, the strongest channels are chosen on it, compared with it, and the raw stack undoes the
     * percentile normalisation through the image's own percentiles (checked by normalising it again).
     */
    @Test
    void channelsOnAnImageGetARawStackThatNormalisesBackToTheInputSpace() throws Exception {
        Path out = tmp.resolve("b");
        Path image = TestModels.firstDemoImage("mitotic");
        CliTest.Result r = run("maximize", "--model", MODEL, "--layer", "block4", "--top", "2", "--steps", "2",
                "--input", image.toString(), "--output", out.toString(), "--device", "cpu");
        assertEquals(0, r.code(), r.err());
        List<String> csv = Files.readAllLines(out.resolve("maximize.csv"));
        assertEquals(3, csv.size(), String.join("\n", csv));
        assertFalse(csv.get(1).endsWith(","), "no image max: " + csv.get(1));
        ImagePlus x = IJ.openImage(out.resolve("maximize.tif").toString());
        ImagePlus raw = IJ.openImage(out.resolve("maximize_raw.tif").toString());
        float[] px = (float[]) IJ.openImage(image.toString()).getProcessor().convertToFloat().getPixels();
        float[] sorted = px.clone();
        Arrays.sort(sorted);
        double lo = percentile(sorted, 1.0);
        double hi = percentile(sorted, 99.8);
        for (int s = 1; s <= 2; s++) {
            float[] a = (float[]) x.getStack().getProcessor(s).getPixels();
            float[] b = (float[]) raw.getStack().getProcessor(s).getPixels();
            for (int i = 0; i < a.length; i += 97) {
                assertEquals(a[i], (b[i] - lo) / (hi - lo), 1e-4, "slice " + s + " pixel " + i);
            }
        }
    }

    @Test
    void aNeuronIsNamedByItsPositionAndBadRequestsAreOneLineErrors() throws Exception {
        Path out = tmp.resolve("c");
        CliTest.Result r = run("maximize", "--model", MODEL, "--layer", "block3", "--channels", "5", "--neuron", "3,4",
                "--steps", "1", "--output", out.toString(), "--device", "cpu", "--quiet");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("block3 channel 5 neuron x=3 y=4"), r.out());
        assertUserError(run("maximize", "--model", MODEL, "--output", out.toString()), "either --target");
        assertUserError(run("maximize", "--model", MODEL, "--target", "all", "--layer", "block4", "--output",
                out.toString()), "either --target");
        assertUserError(run("maximize", "--model", MODEL, "--layer", "block4", "--channels", "70", "--output",
                tmp.resolve("d").toString()), "0-63");
        assertUserError(run("maximize", "--model", MODEL, "--target", "nucleus", "--output",
                tmp.resolve("e").toString()), "unknown class 'nucleus'");
        assertUserError(run("maximize", "--model", MODEL, "--layer", "block4", "--range", "1,0", "--output",
                tmp.resolve("f").toString()), "low < high");
    }

    private static double percentile(float[] sorted, double p) {
        double pos = p / 100.0 * (sorted.length - 1);
        int a = (int) Math.floor(pos);
        int b = Math.min(a + 1, sorted.length - 1);
        return sorted[a] + (pos - a) * (sorted[b] - sorted[a]);
    }
}
