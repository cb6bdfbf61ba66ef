package org.cnnexplain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnexplain.atlas.AtlasTables;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cnn-explain atlas} on four demo images, as a user runs it: the files, their formats, the errors. */
class AtlasCliTest {

    @TempDir
    Path tmp;

    Path fourImages() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("cells"));
        try (var files = Files.list(TestModels.DEMO_IMAGES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".tif")).sorted().limit(4).toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }

    @Test
    void writesTheMontageTablesAndImportance() throws Exception {
        Path in = fourImages();
        Path out = tmp.resolve("atlas");
        CliTest.Result r = CliTest.run("atlas", "--model", TestModels.DEMO_MODEL.toString(), "--input", in.toString(),
                "--layer", "block4", "--output", out.toString(), "--top", "3", "--channels", "0,5,7", "--device", "cpu",
                "--quiet");
        assertEquals(0, r.code(), r.err());
        List<String> stdout = r.out().lines().toList();
        assertEquals(4, stdout.size(), r.out());
        assertTrue(stdout.get(0).matches("ch 0: [1-3]/3 \\w+"), stdout.get(0));
        assertTrue(stdout.get(3).contains("of 3 channels of /block4/block4.2/Relu"), stdout.get(3));

        List<String> csv = Files.readAllLines(out.resolve("atlas.csv"));
        assertEquals(AtlasTables.ATLAS_HEADER, csv.get(0));
        assertEquals("layer,channel,rank,image,slice,x,y,activation,rf_x0,rf_y0,rf_x1,rf_y1", csv.get(0));
        assertEquals(1 + 3 * 3, csv.size());
        float previous = Float.MAX_VALUE;
        for (int i = 1; i <= 3; i++) {
            String[] f = csv.get(i).split(",");
            assertEquals("/block4/block4.2/Relu", f[0]);
            assertEquals("0", f[1]);
            assertEquals(Integer.toString(i), f[2]);
            assertTrue(Files.exists(in.resolve(f[3])), f[3]);
            assertEquals("1", f[4]);
            int x = Integer.parseInt(f[5]);
            int y = Integer.parseInt(f[6]);
            float a = Float.parseFloat(f[7]);
            assertTrue(a <= previous, "strongest first");
            previous = a;
            // the demo model's block4 field: 38 pixels, 8 apart, from -15 (ReceptiveFieldTest)
            assertEquals(Math.max(0, 8 * x - 15), Integer.parseInt(f[8]));
            assertEquals(Math.max(0, 8 * y - 15), Integer.parseInt(f[9]));
            assertEquals(Math.min(127, 8 * x + 22), Integer.parseInt(f[10]));
            assertEquals(Math.min(127, 8 * y + 22), Integer.parseInt(f[11]));
        }
        List<String> classes = Files.readAllLines(out.resolve("atlas_classes.csv"));
        assertEquals("layer,channel,neurons,interphase,mitotic,speckled,empty,top_class,top_fraction", classes.get(0));
        assertEquals(4, classes.size());
        List<String> importance = Files.readAllLines(out.resolve("importance.csv"));
        assertEquals("class,channel,images,gradcam_weight,cam_weight,mean_activation", importance.get(0));
        assertEquals(1 + 4 * 64, importance.size());

        ImagePlus tif = IJ.openImage(out.resolve("atlas.tif").toString());
        assertEquals(3, tif.getStackSize());
        assertTrue(tif.getStack().getSliceLabel(1).startsWith("ch 0: "), tif.getStack().getSliceLabel(1));
        ImagePlus png = IJ.openImage(out.resolve("atlas.png").toString());
        assertEquals(tif.getWidth(), png.getWidth());
        assertEquals(3 * tif.getHeight(), png.getHeight());
        assertTrue(IJ.openImage(out.resolve("importance.png").toString()).getWidth() > 400);

        // a second run into the same folder must not overwrite without being asked
        CliTest.assertUserError(CliTest.run("atlas", "--model", TestModels.DEMO_MODEL.toString(), "--input",
                in.toString(), "--layer", "block4", "--output", out.toString(), "--device", "cpu"), "--overwrite");
    }

    @Test
    void refusesWhatItCannotDo() {
        String model = TestModels.DEMO_MODEL.toString();
        String in = TestModels.DEMO_IMAGES.toString();
        String out = tmp.resolve("o").toString();
        CliTest.assertUserError(CliTest.run("atlas", "--model", model, "--input", in, "--output", out, "--channels", "1",
                "--first", "2"), "not both");
        CliTest.assertUserError(CliTest.run("atlas", "--model", model, "--input", in, "--output", out, "--top", "0",
                "--device", "cpu"), "--top must be at least 1");
        CliTest.assertUserError(CliTest.run("atlas", "--model", model, "--input", in, "--output", out, "--channels",
                "70", "--device", "cpu"), "channel 70 is out of range");
    }
}
