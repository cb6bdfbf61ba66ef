package org.cnnexplain.tile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ImageProcessor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.cli.Main;
import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "done when" for fit=tile: the generated 1024 x 1024 field ({@code make_field.py}: 36
 * demo-class cells at known positions among out-of-focus distractors) explained with the demo
 * classifier in {@code fit=tile}, for each class as target (mitotic through the command line, as users run
 * it; the other two through the same tiled run in this JVM, to keep the test short):
 * <ul>
 *   <li>the class map's most probable class at each cell's centre is the cell's class (≥ 90 %);</li>
 *   <li>each cell's class map (its stitched Grad-CAM) peaks, within 50 px of the cell's centre (cells
 *       are at least 100 px apart), within 15 px of the cell's mask (≥ 90 %);</li>
 *   <li>the share of each class's map energy inside the cells of that class is at least 3 times the
 *       share of the image those cells cover.</li>
 * </ul>
 */
class FieldOfViewTest {

    static final Path FIELD = Path.of("test-images/field");
    static final String[] CLASSES = {"interphase", "mitotic", "speckled"};

    record Cell(int id, int cls, double y, double x) {
    }

    @Test
    void theFieldIsClassifiedAndExplainedWhereItsCellsAre(@TempDir Path tmp) throws Exception {
        List<Cell> cells = new ArrayList<>();
        for (String line : Files.readAllLines(FIELD.resolve("objects.csv")).subList(1, 37)) {
            String[] f = line.split(",");
            cells.add(new Cell(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Double.parseDouble(f[3]),
                    Double.parseDouble(f[4])));
        }
        ImageProcessor ids = IJ.openImage(FIELD.resolve("objects.png").toString()).getProcessor();
        int w = ids.getWidth();
        int h = ids.getHeight();
        float[][] maps = new float[CLASSES.length][];
        // the way users run it, for one class: the command line writes the maps, the class map and the overlay
        Path out = tmp.resolve("cli");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"gradcam", "--model", TestModels.DEMO_MODEL.toString(), "--input",
            FIELD.resolve("field.tif").toString(), "--output", out.toString(), "--layer", "block4", "--device",
            "cpu", "--fit", "tile", "--target", CLASSES[1]}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String log = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, log);
        assertTrue(log.contains("225/225 tiles"), log);   // progress, redirected: a plain line at the end
        ImagePlus cli = IJ.openImage(out.resolve("field_gradcam.tif").toString());
        assertEquals(w, cli.getWidth());
        assertTrue(cli.getInfoProperty().contains("tiled: 15 x 15 tiles of 128 x 128 px, stride 64; target mitotic"),
                cli.getInfoProperty());
        maps[1] = (float[]) cli.getProcessor().getPixels();
        ImagePlus classMap = IJ.openImage(out.resolve("field_classmap.tif").toString());
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[] {"predict", "--model", TestModels.DEMO_MODEL.toString(), "--input",
            FIELD.resolve("field.tif").toString(), "--device", "cpu", "--fit", "tile", "--quiet"},
                new PrintStream(json, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream())));
        // a sparse field: most tiles are background, and the line says how many tiles voted for each class
        assertTrue(json.toString(StandardCharsets.UTF_8).contains("\"tiles\":225,\"tiles_per_class\":["),
                json.toString(StandardCharsets.UTF_8));
        assertTrue(Files.exists(out.resolve("field_gradcam_overlay.png")));
        // the other classes through the same tiled run, the model loaded once
        try (ExplainableModel m = ModelLoader.load(TestModels.DEMO_MODEL, "cpu")) {
            ImagePlus field = IJ.openImage(FIELD.resolve("field.tif").toString());
            TiledRun.Field f = new TiledRun.Field((float[]) field.getProcessor().convertToFloatProcessor().getPixels(),
                    1, w, h, Normalization.of("model", m.spec()));
            TileGrid grid = TiledRun.grid(m, w, h, 0);
            for (int c : new int[] {0, 2}) {
                ExplainRequest r = ExplainRequest.defaults(ExplainRequest.Method.GRADCAM);
                r = new ExplainRequest(r.method(), "block4", CLASSES[c], "logit", "gradcam", false, r.rule(), null, 0,
                        r.signal(), "none", r.batch());
                maps[c] = TiledRun.explain(m, f, grid, r, TiledRun.Listener.NONE).maps().get(0).inputMaps().data();
            }
        }
        assertEquals(4, classMap.getStackSize());
        assertEquals("mitotic", classMap.getStack().getSliceLabel(2));

        int classified = 0;
        int pointed = 0;
        StringBuilder report = new StringBuilder();
        for (Cell cell : cells) {
            int px = (int) cell.x();
            int py = (int) cell.y();
            int best = 0;
            for (int k = 1; k < classMap.getStackSize(); k++) {
                if (classMap.getStack().getProcessor(k + 1).getf(px, py)
                        > classMap.getStack().getProcessor(best + 1).getf(px, py)) {
                    best = k;
                }
            }
            classified += best == cell.cls() ? 1 : 0;
            int[] peak = peakNear(maps[cell.cls()], w, h, cell, 50);
            double d = distanceToMask(ids, cell.id(), peak[0], peak[1]);
            pointed += d <= 15 ? 1 : 0;
            if (best != cell.cls() || d > 15) {
                report.append(String.format(Locale.ROOT, "  cell %d (%s at %.0f,%.0f): class map says %s, peak %.1f px"
                        + " from the mask%n", cell.id(), CLASSES[cell.cls()], cell.x(), cell.y(),
                        classMap.getStack().getSliceLabel(best + 1), d));
            }
        }
        double[] ratio = new double[CLASSES.length];
        for (int c = 0; c < CLASSES.length; c++) {
            double inside = 0;
            double total = 0;
            long area = 0;
            for (int i = 0; i < w * h; i++) {
                int id = ids.get(i);
                boolean own = id > 0 && cells.get(id - 1).cls() == c;
                double v = Math.max(0, maps[c][i]);
                total += v;
                if (own) {
                    inside += v;
                    area++;
                }
            }
            ratio[c] = (inside / total) / (area / (double) (w * h));
        }
        System.out.printf(Locale.ROOT, "Field of view 1024 x 1024, %d cells, fit=tile (128-px tiles, stride 64):%n"
                + "  class map right at the cell centre: %d/%d (%.1f %%)%n"
                + "  Grad-CAM peak within 15 px of the cell's mask: %d/%d (%.1f %%)%n"
                + "  energy inside the class's cells / their area share: interphase %.2f, mitotic %.2f, speckled %.2f%n%s",
                cells.size(), classified, cells.size(), 100.0 * classified / cells.size(), pointed, cells.size(),
                100.0 * pointed / cells.size(), ratio[0], ratio[1], ratio[2], report);
        assertTrue(classified >= 0.9 * cells.size(), "class map right at " + classified + " of " + cells.size());
        assertTrue(pointed >= 0.9 * cells.size(), "Grad-CAM peaks at " + pointed + " of " + cells.size());
        for (int c = 0; c < CLASSES.length; c++) {
            assertTrue(ratio[c] >= 3, CLASSES[c] + ": energy ratio " + ratio[c]);
        }
    }

    /** The position of the map's maximum within {@code radius} of the cell's centre. */
    private static int[] peakNear(float[] map, int w, int h, Cell cell, int radius) {
        int[] best = {(int) cell.x(), (int) cell.y()};
        float max = Float.NEGATIVE_INFINITY;
        for (int y = Math.max(0, (int) cell.y() - radius); y < Math.min(h, (int) cell.y() + radius); y++) {
            for (int x = Math.max(0, (int) cell.x() - radius); x < Math.min(w, (int) cell.x() + radius); x++) {
                if (Math.hypot(x - cell.x(), y - cell.y()) <= radius && map[y * w + x] > max) {
                    max = map[y * w + x];
                    best = new int[] {x, y};
                }
            }
        }
        return best;
    }

    private static double distanceToMask(ImageProcessor ids, int id, int x, int y) {
        double best = Double.POSITIVE_INFINITY;
        for (int yy = Math.max(0, y - 60); yy < Math.min(ids.getHeight(), y + 60); yy++) {
            for (int xx = Math.max(0, x - 60); xx < Math.min(ids.getWidth(), x + 60); xx++) {
                if (ids.get(xx, yy) == id) {
                    best = Math.min(best, Math.hypot(xx - x, yy - y));
                }
            }
        }
        return best;
    }
}
