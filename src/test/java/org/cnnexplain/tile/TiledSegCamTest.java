package org.cnnexplain.tile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.explain.Explanation;
import org.cnnexplain.explain.Region;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.model.NpyArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Seg-Grad-CAM over tiles is the whole field's Seg-Grad-CAM: a U-Net exported with a fixed 64 × 64
 * input explains 160 × 192 and 130 × 150 fields in tiles with its halo, and every map equals the one
 * PyTorch computes by running the same module on the whole field with autograd
 * ({@code make_tiled_segcam_goldens.py}): the default target and a rectangular ROI, Grad-CAM,
 * Grad-CAM++ at the bottleneck, LayerCAM and Eigen-CAM, and a field whose size the U-Net does not take
 * (mirrored out to a multiple of 4 and cropped back).
 */
class TiledSegCamTest {

    static final Path GOLDEN = Path.of("src/test/resources/golden/tiled_segcam");
    static ExplainableModel unet;

    @BeforeAll
    static void load() {
        unet = ModelLoader.load(Path.of("src/test/resources/models/unet64_op13.onnx"), "cpu");
    }

    @AfterAll
    static void close() {
        unet.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gradcam_top1", "gradcam_roi", "gradcampp_top1", "layercam_roi", "eigencam_top1",
        "gradcam_padded"})
    void theTiledMapIsTheWholeFieldsMap(String name) throws Exception {
        String meta = Files.readString(GOLDEN.resolve(name).resolve("meta.json"));
        NpyArray x = NpyArray.read(GOLDEN.resolve(string(meta, "input")));
        NpyArray want = NpyArray.read(GOLDEN.resolve(name).resolve("map.npy"));
        int h = (int) x.shape()[2];
        int w = (int) x.shape()[3];
        ExplainRequest r = ExplainRequest.defaults(ExplainRequest.Method.GRADCAM);
        r = new ExplainRequest(r.method(), string(meta, "layer"), string(meta, "target"), "logit",
                string(meta, "method"), false, r.rule(), null, 0, r.signal(), "none", r.batch());
        Matcher roi = Pattern.compile("\"roi\": \\[\\s*(\\d+),\\s*(\\d+),\\s*(\\d+),\\s*(\\d+)").matcher(meta);
        if (roi.find()) {
            r = r.withRegion(Region.box(w, h, Integer.parseInt(roi.group(1)), Integer.parseInt(roi.group(2)),
                    Integer.parseInt(roi.group(3)), Integer.parseInt(roi.group(4))));
        }
        TiledRun.Result res = TiledSegCam.explain(unet, new TiledRun.Field(x.data(), 1, w, h, null), r,
                TiledRun.Listener.NONE);
        Explanation e = res.maps().get(0);
        assertEquals(Integer.parseInt(string(meta, "class")), res.target());
        assertEquals(w, e.inputMaps().width());
        assertEquals(h, e.inputMaps().height());
        assertEquals(want.shape()[0], e.layerMaps().height());
        assertEquals(want.shape()[1], e.layerMaps().width());
        float max = 0;
        float worst = 0;
        for (int i = 0; i < want.data().length; i++) {
            max = Math.max(max, Math.abs(want.data()[i]));
            worst = Math.max(worst, Math.abs(want.data()[i] - e.layerMaps().data()[i]));
        }
        System.out.printf(Locale.ROOT, "%s: %s; max |tiled - whole| / max = %.2e%n", name, res.how(), worst / max);
        assertTrue(max > 0, "an all-zero golden proves nothing");
        assertTrue(worst <= 1e-4 * max, name + ": max difference " + worst + " of " + max);
        assertTrue(res.how().contains("halo 16 px (receptive field 15 px)"), res.how());
        assertTrue(res.how().contains("summed over " + string(meta, "pixels") + " px"), res.how());
        assertFalse(res.how().contains("may differ"), res.how());
        int tiles = Integer.parseInt(res.how().replaceFirst("^tiled: (\\d+) tiles.*", "$1"));
        assertTrue(tiles >= 20, res.how());   // 5 x 6 cores of 32 px: a real tiling, not one tile
    }

    /**
     * The way users run it: {@code gradcam --fit tile --roi mask.tif} on a 32-bit TIFF of the field writes
     * the field-size map, its map at the layer (equal to the golden), the overlay, and says how it tiled.
     */
    @Test
    void theCommandLineExplainsAFieldInTilesWithAMaskRoi(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        NpyArray x = NpyArray.read(GOLDEN.resolve("field_160x192.npy"));
        NpyArray want = NpyArray.read(GOLDEN.resolve("gradcam_roi").resolve("map.npy"));
        ij.IJ.saveAsTiff(new ij.ImagePlus("field", new ij.process.FloatProcessor(192, 160, x.data())),
                tmp.resolve("field.tif").toString());
        ij.process.ByteProcessor mask = new ij.process.ByteProcessor(192, 160);
        mask.setValue(255);
        mask.fill(new ij.gui.Roi(40, 30, 90, 70));
        ij.IJ.saveAsTiff(new ij.ImagePlus("mask", mask), tmp.resolve("mask.tif").toString());
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = org.cnnexplain.cli.Main.run(new String[] {"gradcam", "--model",
            "src/test/resources/models/unet64_op13.onnx", "--input", tmp.resolve("field.tif").toString(), "--output",
            tmp.resolve("out").toString(), "--layer", "dec2", "--target", "2", "--roi", tmp.resolve("mask.tif").toString(),
            "--normalize", "none", "--device", "cpu", "--fit", "tile"}, new java.io.PrintStream(
                new java.io.ByteArrayOutputStream()), new java.io.PrintStream(err, true, "UTF-8"));
        String log = err.toString("UTF-8");
        assertEquals(0, code, log);
        assertTrue(log.contains("tiled: 30 tiles of 64 x 64 px, halo 16 px"), log);
        ij.ImagePlus map = ij.IJ.openImage(tmp.resolve("out/field_gradcam.tif").toString());
        assertEquals(192, map.getWidth());
        assertEquals(160, map.getHeight());
        assertTrue(map.getInfoProperty().contains("Seg-Grad-CAM target 2, summed over 6300 px of the"),
                map.getInfoProperty());
        float[] layer = (float[]) ij.IJ.openImage(tmp.resolve("out/field_gradcam_layer.tif").toString())
                .getProcessor().getPixels();
        float max = 0;
        float worst = 0;
        for (int i = 0; i < want.data().length; i++) {
            max = Math.max(max, want.data()[i]);
            worst = Math.max(worst, Math.abs(want.data()[i] - layer[i]));
        }
        assertTrue(worst <= 1e-4 * max, "max difference " + worst + " of " + max);
        assertTrue(Files.exists(tmp.resolve("out/field_gradcam_overlay.png")));
    }

    @Test
    void scoreCamIsRefusedInOneLine() {
        ExplainRequest d = ExplainRequest.defaults(ExplainRequest.Method.GRADCAM);
        ExplainRequest r = new ExplainRequest(d.method(), "auto", "top1", "logit", "scorecam", false, d.rule(), null, 0,
                d.signal(), "none", d.batch());
        UserError e = assertThrows(UserError.class, () -> TiledSegCam.explain(unet,
                new TiledRun.Field(new float[128 * 96], 1, 128, 96, null), r, TiledRun.Listener.NONE));
        assertTrue(e.getMessage().startsWith("Score-CAM cannot run in tiles on a per-pixel model"), e.getMessage());
        assertTrue(e.getMessage().contains("Grad-CAM, Grad-CAM++"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** Cancelled between batches (here after the first of the second pass): no result. */
    @Test
    void cancellingBetweenBatchesGivesNothing() throws Exception {
        NpyArray x = NpyArray.read(GOLDEN.resolve("field_160x192.npy"));
        int[] seen = new int[2];
        TiledRun.Listener l = new TiledRun.Listener() {
            @Override
            public void tiles(int done, int total) {
                seen[0] = done;
                seen[1] = total;
            }

            @Override
            public boolean cancelled() {
                return seen[0] > seen[1] / 2;
            }
        };
        ExplainRequest r = ExplainRequest.defaults(ExplainRequest.Method.GRADCAM);
        assertEquals(null, TiledSegCam.explain(unet, new TiledRun.Field(x.data(), 1, 192, 160, null), r, l));
        assertEquals(60, seen[1]);   // 30 tiles, two passes
        assertEquals(38, seen[0]);   // the first pass's 30, then one batch of 8
    }

    /** A layer whose activations and gradients over the field would not fit is refused before any tile runs. */
    @Test
    void aLayerTooLargeForTheFieldIsRefusedUpFront() {
        ExplainRequest d = ExplainRequest.defaults(ExplainRequest.Method.GRADCAM);
        ExplainRequest r = new ExplainRequest(d.method(), "enc1", "top1", "logit", "gradcam", false, d.rule(), null, 0,
                d.signal(), "none", d.batch());
        int side = 4104;   // enc1: 8 channels at full resolution, 2 x 8 x 4104² floats = 1,028 MB
        TiledRun.Listener never = new TiledRun.Listener() {
            @Override
            public void tiles(int done, int total) {
                throw new AssertionError("no tile may run");
            }
        };
        UserError e = assertThrows(UserError.class, () -> TiledSegCam.explain(unet,
                new TiledRun.Field(new float[side * side], 1, side, side, null), r, never));
        assertTrue(e.getMessage().matches("fit=tile: the layer '.*enc1.*' over this field \\(8 channels of 4104 x 4104\\)"
                + " needs 1028 MB for its activations and gradients, more than the \\d+ MB allowed; choose a deeper"
                + " \\(coarser\\) layer, or crop the image to a smaller field"), e.getMessage());
    }

    private static String string(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": \"?([^\",\\n]*)\"?").matcher(json);
        assertTrue(m.find(), key);
        return m.group(1).trim();
    }
}
