package org.cnnexplain.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import ij.ImagePlus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.cnnexplain.UserError;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.model.Prediction;

/**
 * {@code predict}: one JSON object per line per image and slice, e.g.
 * <pre>
 * {"image":"cell_000.tif","slice":1,"scores":[-3.1,0.2,5.7],"probabilities":[0.0001,0.0038,0.9961],
 *  "top1":{"index":2,"name":"speckled","probability":0.9961}}
 * </pre>
 * In a folder, an image that fails is reported on stderr and skipped; the exit code is then 1.
 */
final class PredictCommand {

    private PredictCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = new Args("predict", argv, Set.of("model", "input", "normalize", "device"), Set.of());
        Path input = Path.of(args.require("input"));
        String device = args.get("device", "auto");
        Normalization.of(args.get("normalize", "model"), null);   // reject an unknown mode before loading anything
        try (ExplainableModel model = ModelLoader.load(Path.of(args.require("model")), device)) {
            Normalization norm = Normalization.of(args.get("normalize", "model"), model.spec());
            err.println("cnn-explain: model " + model.path().getFileName() + " on " + model.device()
                    + ", normalisation " + norm.describe());
            List<Path> files = ImageFiles.list(input);
            int failed = 0;
            for (Path file : files) {
                try {
                    for (JsonObject line : predict(model, file, norm)) {
                        out.println(line);
                    }
                } catch (UserError e) {
                    if (files.size() == 1) {
                        throw e;
                    }
                    err.println("cnn-explain: skipped " + file.getFileName() + ": " + e.getMessage());
                    failed++;
                }
            }
            return failed == 0 ? 0 : 1;
        }
    }

    static List<JsonObject> predict(ExplainableModel model, Path file, Normalization norm) {
        ImagePlus imp = ImageFiles.open(file);
        TensorBatch batch = TensorBatch.of(ImagePlusImgs.toFloat(imp), model.inputChannels(), norm);
        List<Prediction> predictions = Prediction.of(model, batch);
        List<JsonObject> lines = new java.util.ArrayList<>();
        for (int i = 0; i < predictions.size(); i++) {
            lines.add(toJson(file.getFileName().toString(), i + 1, predictions.get(i)));
        }
        return lines;
    }

    static JsonObject toJson(String image, int slice, Prediction p) {
        JsonObject o = new JsonObject();
        o.addProperty("image", image);
        o.addProperty("slice", slice);
        o.add("scores", array(p.scores()));
        o.add("probabilities", array(p.probabilities()));
        JsonObject top = new JsonObject();
        top.addProperty("index", p.top1());
        top.addProperty("name", p.top1Name());
        top.addProperty("probability", p.probabilities()[p.top1()]);
        o.add("top1", top);
        return o;
    }

    private static JsonArray array(float[] v) {
        JsonArray a = new JsonArray();
        for (float f : v) {
            a.add(f);
        }
        return a;
    }
}
