package org.cnnexplain.plugin;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.cnnexplain.explain.MapStack;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelSpec;
import org.cnnexplain.model.Prediction;
import org.cnnexplain.render.ResultImages;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN Explain › Predict: class scores of every plane of the current
 * image as a results table (one row per plane: predicted class, its
 * probability, then every class's probability and raw score), shown as
 * ImageJ's "Results" table so macros read it with {@code nResults} and {@code getResult}.
 *
 * <p>Under a sigmoid activation (a multi-label classifier, a binary model) the column
 * {@code Positive} lists every class above 0.5 (names joined by ';'). A model with a per-pixel
 * output also returns its output maps as a new 32-bit stack: the probabilities (softmax over the
 * classes, or sigmoid), one labelled slice per class and plane, at the image's size; its table
 * adds {@code mean p(c)} per class and, for a binary model (one sigmoid output),
 * {@code Foreground} (the fraction of pixels with p &gt; 0.5) and {@code Mean probability}.
 *
 * <pre>
 * run("Predict", "model=[/data/demo.onnx]");
 * run("Predict", "model=[/data/demo.onnx] montage");   // and a labelled montage of the planes
 * fg = getResult("Foreground", 0);     // a binary U-Net
 * </pre>
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN Explain>Predict", headless = true)
public class PredictCommand extends CnnCommand {

    @Parameter(label = "Montage of the planes, labelled with prediction and probability")
    private boolean montage;

    @Parameter(label = "Predictions", type = ItemIO.OUTPUT)
    private ResultsTable table;

    @Parameter(label = "Montage", type = ItemIO.OUTPUT, required = false)
    private ImagePlus sheet;
    @Parameter(label = "Probability maps", type = ItemIO.OUTPUT, required = false)
    private ImagePlus probabilities;

    @Parameter(label = "Class map", type = ItemIO.OUTPUT, required = false)
    private ImagePlus classmap;

    @Parameter(required = false)
    private org.scijava.app.StatusService status;

    @Override
    protected String title() {
        return "Predict";
    }

    @Override
    protected void compute() {
        ExplainableModel m = loadModel();
        if (tiled()) {
            predictTiled(m);
            return;
        }
        TensorBatch batch = batchFor(m);
        Prediction.Outputs outputs = Prediction.run(m, batch, true);
        List<Prediction> predictions = outputs.predictions();
        List<String> classes = m.classNames();
        table = new ResultsTable();
        for (int s = 0; s < predictions.size(); s++) {
            Prediction p = predictions.get(s);
            table.incrementCounter();
            table.addValue("Image", image.getTitle());
            table.addValue("Slice", s + 1);
            table.addValue("Plane", batch.label(s));
            table.addValue("Index", p.top1());
            table.addValue("Predicted", p.top1Name());
            table.addValue("Probability", p.probabilities()[p.top1()]);
            boolean sigmoid = p.activation() == ModelSpec.Activation.SIGMOID;
            if (sigmoid) {
                table.addValue("Positive", Arrays.stream(p.above(0.5)).mapToObj(classes::get)
                        .collect(Collectors.joining(";")));
            }
            if (sigmoid && p.meanProbabilities() != null && classes.size() == 1) {
                table.addValue("Foreground", p.probabilities()[0]);
                table.addValue("Mean probability", p.meanProbabilities()[0]);
            }
            for (int k = 0; k < classes.size(); k++) {
                table.addValue("p(" + classes.get(k) + ")", p.probabilities()[k]);
            }
            for (int k = 0; k < classes.size(); k++) {
                table.addValue("score(" + classes.get(k) + ")", p.scores()[k]);
            }
            if (p.meanProbabilities() != null) {
                for (int k = 0; k < classes.size(); k++) {
                    table.addValue("mean p(" + classes.get(k) + ")", p.meanProbabilities()[k]);
                }
            }
        }
        if (!outputs.maps().isEmpty()) {
            probabilities = maps(outputs, batch, classes, predictions.get(0).activation().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (montage) {
            sheet = Montages.of(image, batch, predictions, null, null, 0, title());
        }
        showTable();
    }

    /**
     * {@code fit=tile}: per plane, the class predicted on most tiles, each class's mean probability
     * over the tiles and its number of tiles; the class map as a stack, and the winning class's map
     * on the image as an overlay.
     */
    private void predictTiled(ExplainableModel m) {
        java.awt.Rectangle box = Tiles.box(image);
        org.cnnexplain.tile.TileGrid grid = org.cnnexplain.tile.TiledRun.grid(m, box.width, box.height, stride);
        org.cnnexplain.image.Normalization norm = org.cnnexplain.image.Normalization.of(normalize, m.spec());
        if (m.hasSpatialOutput()) {
            segmentTiled(m, box, norm);
            return;
        }
        List<String> classes = m.classNames();
        int planes = image.getNSlices() * image.getNFrames();
        List<org.cnnexplain.tile.ClassMap> maps = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        table = new ResultsTable();
        for (int s = 0; s < planes; s++) {
            org.cnnexplain.tile.ClassMap cm = org.cnnexplain.tile.TiledRun.classify(m,
                    Tiles.field(image, s, box, m.inputChannels(), norm), grid,
                    Tiles.listener(status, title(), this::stopped));
            if (cm == null) {
                table = null;
                return;
            }
            maps.add(cm);
            labels.add(Tiles.planeLabel(image, s));
            int[] votes = cm.votes();
            int top = cm.majority();
            double[] mean = new double[classes.size()];
            for (int t = 0; t < grid.tiles(); t++) {
                for (int k = 0; k < mean.length; k++) {
                    mean[k] += cm.probability(t, k) / grid.tiles();
                }
            }
            tiledRow(s, labels.get(s), top, mean);
            table.addValue("Tiles", grid.tiles());
            for (int k = 0; k < classes.size(); k++) {
                table.addValue("tiles(" + classes.get(k) + ")", votes[k]);
            }
            org.cnnexplain.render.ResultImages.addHeatmap(image, cm.plane(top), box,
                    org.cnnexplain.render.Luts.get("inferno"), 0.5, 0, s % image.getNSlices() + 1,
                    s / image.getNSlices() + 1, "class map " + classes.get(top));
        }
        classmap = Tiles.classMaps(maps, labels, image.getTitle() + " – class map (" + grid.describe() + ")",
                Tiles.calibration(image, box), maps.get(0).majority(), org.cnnexplain.render.Luts.get("inferno"));
        log.info("cnn-explain: Predict of " + image.getTitle() + " with " + model.getName() + ", tiled: "
                + grid.describe() + "; Predicted = the class on most tiles, p(class) = its mean over the tiles");
        showTable();
    }

    /**
     * {@code fit=tile} for a per-pixel model: every plane run in tiles with a halo and assembled at full
     * size (normalised over the whole plane, as a run on the whole image is); per plane, each class's
     * fraction of pixels where it is the most probable (sigmoid: above 0.5) and the dominant class.
     */
    private void segmentTiled(ExplainableModel m, java.awt.Rectangle box, org.cnnexplain.image.Normalization norm) {
        List<String> classes = m.classNames();
        int planes = image.getNSlices() * image.getNFrames();
        table = new ResultsTable();
        List<MapStack> maps = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int s = 0; s < planes; s++) {
            org.cnnexplain.tile.TiledRun.Field raw = Tiles.field(image, s, box, m.inputChannels(), norm);
            norm.apply(raw.pixels(), 0, raw.channels(), raw.width() * raw.height());
            org.cnnexplain.tile.TiledRun.Outputs out = org.cnnexplain.tile.TiledRun.segment(m,
                    new org.cnnexplain.tile.TiledRun.Field(raw.pixels(), raw.channels(), raw.width(), raw.height(), null),
                    0, Tiles.listener(status, title(), this::stopped));
            if (out == null) {
                table = null;
                return;
            }
            labels.add(Tiles.planeLabel(image, s));
            int k = out.classes();
            int plane = out.width() * out.height();
            boolean sigmoid = k == 1 || m.spec() != null && "sigmoid".equalsIgnoreCase(m.spec().activation());
            double[] fraction = new double[k];
            for (int i = 0; i < plane; i++) {
                int best = 0;
                for (int c = 0; c < k; c++) {
                    float p = out.data()[c * plane + i];
                    if (sigmoid && p > 0.5f) {
                        fraction[c] += 1.0 / plane;
                    }
                    best = p > out.data()[best * plane + i] ? c : best;
                }
                if (!sigmoid) {
                    fraction[best] += 1.0 / plane;
                }
            }
            int top = sigmoid || k == 1 ? 0 : 1;
            for (int c = top; c < k; c++) {
                top = fraction[c] > fraction[top] ? c : top;
            }
            tiledRow(s, labels.get(s), top, fraction);
            maps.add(new MapStack(out.data(), k, out.height(), out.width(), classes));
            log.info("cnn-explain: Predict of " + image.getTitle() + " " + labels.get(s) + ": " + out.how());
        }
        probabilities = Tiles.stack(maps, labels, image.getTitle() + " – probabilities (tiled)",
                Tiles.calibration(image, box));
        probabilities.setDisplayRange(0, 1);
        showTable();
    }

    /** A table row of a tiled plane: the winning class and each class's {@code p} (mean probability or pixel fraction). */
    private void tiledRow(int s, String plane, int top, double[] p) {
        List<String> classes = models.get(model, device).classNames();
        table.incrementCounter();
        table.addValue("Image", image.getTitle());
        table.addValue("Slice", s + 1);
        table.addValue("Plane", plane);
        table.addValue("Index", top);
        table.addValue("Predicted", classes.get(top));
        table.addValue("Probability", p[top]);
        for (int c = 0; c < p.length; c++) {
            table.addValue("p(" + classes.get(c) + ")", p[c]);
        }
    }

    private void showTable() {
        if (!java.awt.GraphicsEnvironment.isHeadless()) {
            // ImageJ's system Results table: what macros read with nResults and getResult
            ij.plugin.filter.Analyzer.setResultsTable(table);
            table.show("Results");
        }
    }

    /**
     * The postprocessed output maps as one stack: per plane of the input, one slice per class
     * ("plane: class"), resampled to the image's size where fit=resize changed it. A 3-D model's
     * volumes become a hyperstack (z, then one frame per plane and class).
     */
    private ImagePlus maps(Prediction.Outputs outputs, TensorBatch batch, List<String> classes, String activation) {
        long[] shape = outputs.mapShape();
        int k = (int) shape[0];
        int depth = shape.length == 4 ? (int) shape[1] : 1;
        int h = (int) shape[shape.length - 2];
        int w = (int) shape[shape.length - 1];
        int per = k * depth * h * w;
        float[] data = new float[outputs.maps().size() * per];
        List<String> labels = new ArrayList<>();
        for (int s = 0; s < outputs.maps().size(); s++) {
            System.arraycopy(outputs.maps().get(s), 0, data, s * per, per);
            for (int c = 0; c < k; c++) {
                String name = c < classes.size() ? classes.get(c) : Integer.toString(c);
                labels.add(batch.label(s).isEmpty() ? name : batch.label(s) + ": " + name);
            }
        }
        MapStack all = new MapStack(data, labels.size(), depth, h, w, labels)
                .resized(depth, image.getHeight(), image.getWidth());
        ImagePlus imp = ResultImages.stack(all, image.getTitle() + " – probabilities (" + activation + ")",
                image.getCalibration());
        imp.setDisplayRange(0, 1);
        if (depth > 1) {
            imp.setDimensions(1, depth, all.planes() / depth);
            imp.setOpenAsHyperStack(true);
        }
        return imp;
    }
}
