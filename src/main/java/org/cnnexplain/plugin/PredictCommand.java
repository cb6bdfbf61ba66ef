package org.cnnexplain.plugin;

import ij.ImagePlus;
import ij.measure.ResultsTable;
import java.util.List;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Prediction;
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
 * <pre>
 * run("Predict", "model=[/data/demo.onnx]");
 * run("Predict", "model=[/data/demo.onnx] montage");   // and a labelled montage of the planes
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

    @Override
    protected String title() {
        return "Predict";
    }

    @Override
    protected void compute() {
        ExplainableModel m = loadModel();
        TensorBatch batch = batchFor(m);
        List<Prediction> predictions = Prediction.of(m, batch);
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
            for (int k = 0; k < classes.size(); k++) {
                table.addValue("p(" + classes.get(k) + ")", p.probabilities()[k]);
            }
            for (int k = 0; k < classes.size(); k++) {
                table.addValue("score(" + classes.get(k) + ")", p.scores()[k]);
            }
        }
        if (montage) {
            sheet = Montages.of(image, batch, predictions, null, null, 0, title());
        }
        if (!java.awt.GraphicsEnvironment.isHeadless()) {
            // ImageJ's system Results table: what macros read with nResults and getResult
            ij.plugin.filter.Analyzer.setResultsTable(table);
            table.show("Results");
        }
    }
}
