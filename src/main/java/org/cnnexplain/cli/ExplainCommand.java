package org.cnnexplain.cli;

import ij.ImagePlus;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.Backprop;
import org.cnnexplain.explain.Deconvnet;
import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.explain.Explainer;
import org.cnnexplain.explain.Explanation;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.model.Prediction;
import org.cnnexplain.render.HeatmapRendering;
import org.cnnexplain.render.Luts;

/**
 * {@code featuremaps | deconvnet | cam | gradcam}: explains every image (and
 * every z/t plane) of {@code --input} and writes, per image and method key
 * ({@code featuremaps}, {@code deconvnet}, {@code guided}, {@code gradient},
 * {@code cam}, a variant name, {@code guided<variant>}):
 * <ul>
 *   <li>{@code <stem>_<key>.tif}: raw 32-bit maps at input resolution, one slice per map, labelled;</li>
 *   <li>{@code <stem>_<key>_layer.tif}: the same at the layer's resolution (CAM-type methods, feature maps);</li>
 *   <li>{@code <stem>_<key>_overlay.png}: the input in grey with the first map in a LUT (|map| for signed gradients);</li>
 * </ul>
 * and one row per image and plane in {@code predictions.csv} (written at the end, whole). {@code <stem>} is the
 * file name without extension, with {@code _s<k>} appended for plane k of a stack.
 */
final class ExplainCommand {

    static final Set<String> OPTIONS = Set.of("model", "input", "output", "layer", "target", "score", "variant",
            "rule", "channels", "top", "signal", "sort", "normalize", "device", "lut", "opacity", "batch");
    static final Set<String> FLAGS = Set.of("guided", "overwrite");

    private ExplainCommand() {
    }

    static int run(String command, List<String> argv, PrintStream out, PrintStream err) {
        Args args = new Args(command, argv, OPTIONS, FLAGS);
        ExplainRequest request = request(ExplainRequest.Method.parse(command), args);
        String lut = args.get("lut", "inferno");
        Luts.get(lut);
        double opacity = parseDouble(args.get("opacity", "0.5"), "opacity");
        Normalization.of(args.get("normalize", "model"), null);
        List<Path> files = ImageFiles.list(Path.of(args.require("input")));
        OutputFiles output = new OutputFiles(Path.of(args.require("output")), args.flag("overwrite"));
        output.claim("predictions.csv");
        try (ExplainableModel model = ModelLoader.load(Path.of(args.require("model")), args.get("device", "auto"))) {
            StringBuilder table = new StringBuilder();
            Normalization norm = Normalization.of(args.get("normalize", "model"), model.spec());
            err.println("cnn-explain: " + command + " with " + model.path().getFileName() + " on " + model.device()
                    + ", normalisation " + norm.describe());
            table.append(csvHeader(model.classNames()));
            int failed = 0;
            for (Path file : files) {
                try {
                    explainFile(model, file, norm, request, output, table, lut, opacity, out);
                } catch (UserError e) {
                    if (files.size() == 1) {
                        throw e;
                    }
                    err.println("cnn-explain: skipped " + file.getFileName() + ": " + e.getMessage());
                    failed++;
                }
            }
            if (failed < files.size()) {
                output.text("predictions.csv", table.toString());   // written last and whole, or not at all
            }
            return failed == 0 ? 0 : 1;
        }
    }

    static ExplainRequest request(ExplainRequest.Method method, Args a) {
        ExplainRequest d = ExplainRequest.defaults(method);
        return new ExplainRequest(method, a.get("layer", d.layer()), a.get("target", d.target()),
                a.get("score", d.score()), a.get("variant", d.variant()), a.flag("guided"),
                a.get("rule", null) == null ? d.rule() : Backprop.Rule.parse(a.get("rule", null)),
                ExplainRequest.parseChannels(a.get("channels", null)), parseInt(a.get("top", Integer.toString(d.top())), "top"),
                a.get("signal", null) == null ? d.signal() : Deconvnet.Signal.parse(a.get("signal", null)),
                a.get("sort", d.sort()), parseInt(a.get("batch", "16"), "batch"));
    }

    private static void explainFile(ExplainableModel model, Path file, Normalization norm, ExplainRequest request,
                                    OutputFiles output, StringBuilder table, String lut, double opacity, PrintStream out) {
        ImagePlus imp = ImageFiles.open(file);
        TensorBatch batch = TensorBatch.of(ImagePlusImgs.toFloat(imp), model.inputChannels(), norm);
        List<Prediction> predictions = Prediction.of(model, batch);
        String base = stem(file);
        for (int s = 0; s < batch.size(); s++) {
            String stem = batch.size() == 1 ? base : base + String.format(Locale.ROOT, "_s%03d", s + 1);
            try (var run = model.newRun()) {
                List<Explanation> results = Explainer.run(model, run, batch.toNDArray(run, s, s + 1), request);
                for (Explanation e : results) {
                    String title = imp.getTitle() + " – " + e.title();
                    output.tiff(stem + "_" + e.key() + ".tif", e.inputMaps(), title, imp.getCalibration(), 1.0);
                    if (e.layerMaps() != null) {
                        output.tiff(stem + "_" + e.key() + "_layer.tif", e.layerMaps(), title + " [layer]",
                                imp.getCalibration(), batch.width() / (double) e.layerMaps().width());
                    }
                    float[] shown = e.inputMaps().plane(0);
                    if (e.signed() && !e.key().equals("cam")) {
                        for (int i = 0; i < shown.length; i++) {
                            shown[i] = Math.abs(shown[i]);
                        }
                    }
                    imp.setPositionWithoutUpdate(1, Math.min(s + 1, imp.getStackSize()), 1);
                    output.png(stem + "_" + e.key() + "_overlay.png",
                            HeatmapRendering.blend(planeOf(imp, s), shown, Luts.get(lut), opacity));
                    out.println(output.dir().resolve(stem + "_" + e.key() + ".tif"));
                }
            }
            table.append(csvRow(file.getFileName().toString(), s + 1, predictions.get(s), model.classNames()));
        }
    }

    /** The grey plane shown under the overlay: the sample's first channel. */
    private static ij.process.ImageProcessor planeOf(ImagePlus imp, int sample) {
        int z = imp.getNSlices();
        int zi = sample % z;
        int ti = sample / z;
        return imp.getStack().getProcessor(imp.getStackIndex(1, zi + 1, ti + 1));
    }

    static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    static String csvHeader(List<String> classes) {
        StringBuilder b = new StringBuilder("image,slice,predicted_index,predicted_class,probability");
        for (String c : classes) {
            b.append(",p_").append(c.replace(',', '_'));
        }
        return b.append('\n').toString();
    }

    static String csvRow(String image, int slice, Prediction p, List<String> classes) {
        StringBuilder b = new StringBuilder();
        b.append(image.replace(',', '_')).append(',').append(slice).append(',').append(p.top1()).append(',')
                .append(p.top1Name().replace(',', '_')).append(',')
                .append(String.format(Locale.ROOT, "%.6f", p.probabilities()[p.top1()]));
        for (float v : p.probabilities()) {
            b.append(String.format(Locale.ROOT, ",%.6f", v));
        }
        return b.append('\n').toString();
    }

    static int parseInt(String s, String name) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new UserError("--" + name + " must be a whole number, got '" + s + "'");
        }
    }

    static double parseDouble(String s, String name) {
        try {
            double v = Double.parseDouble(s.trim());
            if (name.equals("opacity") && (v < 0 || v > 1)) {
                throw new UserError("--opacity must be between 0 and 1, got " + s);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UserError("--" + name + " must be a number, got '" + s + "'");
        }
    }
}
