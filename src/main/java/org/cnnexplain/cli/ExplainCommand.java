package org.cnnexplain.cli;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.plugin.CamCommand;
import org.cnnexplain.plugin.DeconvnetCommand;
import org.cnnexplain.plugin.FeatureMapsCommand;
import org.cnnexplain.plugin.GradCamCommand;
import org.cnnexplain.plugin.PredictCommand;
import org.cnnexplain.render.HeatmapRendering;
import org.cnnexplain.render.Luts;
import org.scijava.command.Command;
import org.scijava.module.Module;

/**
 * {@code featuremaps | deconvnet | cam | gradcam}: runs the Fiji command of the
 * same name on every image (and every z/t plane) of {@code --input}, with the
 * options as its parameters, and writes, per plane and method key
 * ({@code featuremaps}, {@code deconvnet}, {@code guided}, {@code gradient},
 * {@code cam}, a variant name, {@code guided<variant>}):
 * <ul>
 *   <li>{@code <stem>_<key>.tif}: raw 32-bit maps at input resolution, one slice per map, labelled;</li>
 *   <li>{@code <stem>_<key>_layer.tif}: the same at the layer's resolution (CAM-type methods, feature maps);</li>
 *   <li>{@code <stem>_<key>_overlay.png}: the input in grey with the first map in a LUT (|map| for gradients);</li>
 * </ul>
 * and one row per image and plane in {@code predictions.csv} (written at the end, whole).
 * {@code <stem>} is the file name without extension, with {@code _s<k>} for plane k of a stack.
 * A 3-D model takes each time point's z-stack as one sample: its maps are z-stacks, and the
 * overlay shows the slice where the map peaks. {@code --roi mask.tif} (a segmentation model)
 * sums the target class over the mask's non-zero pixels, on every image.
 */
final class ExplainCommand {

    static final Set<String> OPTIONS = Set.of("model", "input", "output", "layer", "target", "score", "variant",
            "rule", "channels", "top", "signal", "sort", "normalize", "device", "lut", "opacity", "batch", "fit", "roi", "samples", "smoothgrad", "noise", "seed");
    static final Set<String> FLAGS = Set.of("guided", "overwrite", "augment", "eigensmooth");

    private ExplainCommand() {
    }

    static int run(String command, List<String> argv, PrintStream out, PrintStream err) {
        Args args = new Args(command, argv, OPTIONS, FLAGS);
        ExplainRequest.Method method = ExplainRequest.Method.parse(command);
        Map<String, String> options = options(args);
        String lut = args.get("lut", "inferno");
        Luts.get(lut);
        double opacity = ExplainCommand.parseDouble(args.get("opacity", "0.5"), "opacity");
        Normalization.of(args.get("normalize", "model"), null);
        List<Path> files = ImageFiles.list(Path.of(args.require("input")));
        OutputFiles output = new OutputFiles(Path.of(args.require("output")), args.flag("overwrite"));
        output.claim("predictions.csv");
        try (SciJavaCommands commands = new SciJavaCommands()) {
            ExplainableModel model = commands.models().get(Path.of(args.require("model")).toFile(), options.get("device"));
            if (options.get("roi") != null && !model.hasSpatialOutput()) {
                throw new UserError("--roi needs a model with a per-pixel output (a segmentation net); "
                        + model.path().getFileName() + " classifies whole images");
            }
            err.println("cnn-explain: " + command + " with " + model.path().getFileName() + " on " + model.device()
                    + ", normalisation " + Normalization.of(options.get("normalize"), model.spec()).describe());
            StringBuilder table = new StringBuilder(csvHeader(model.classNames()));
            int failed = 0;
            for (Path file : files) {
                try {
                    explainFile(commands, method, options, file, output, table, lut, opacity, out);
                } catch (UserError e) {
                    if (files.size() == 1) {
                        throw e;
                    }
                    err.println("cnn-explain: skipped " + file.getFileName() + ": " + e.getMessage());
                    failed++;
                }
            }
            if (failed < files.size()) {
                output.text("predictions.csv", table.toString());
            }
            return failed == 0 ? 0 : 1;
        }
    }

    /** The CLI options under the commands' parameter names, with the CLI's defaults. */
    static Map<String, String> options(Args a) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("model", a.require("model"));
        o.put("normalize", a.get("normalize", "model"));
        o.put("device", a.get("device", "auto"));
        o.put("layer", a.get("layer", "auto"));
        o.put("target", a.get("target", "top1"));
        o.put("score", a.get("score", "logit"));
        o.put("variant", a.get("variant", "gradcam"));
        o.put("guided", Boolean.toString(a.flag("guided")));
        o.put("batch", a.get("batch", "16"));
        o.put("samples", a.get("samples", "8"));
        o.put("smoothgrad", a.get("smoothgrad", "0"));
        o.put("noise", a.get("noise", "0.15"));
        o.put("seed", a.get("seed", "0"));
        o.put("augment", Boolean.toString(a.flag("augment")));
        o.put("eigensmooth", Boolean.toString(a.flag("eigensmooth")));
        o.put("rule", a.get("rule", "deconvnet"));
        o.put("channels", a.get("channels", ""));
        o.put("signal", a.get("signal", "peak"));
        o.put("sort", a.get("sort", "none"));
        o.put("top", a.get("top", null));   // per command default: 8 for Deconvnet, 0 (all) for Feature Maps
        o.put("lut", a.get("lut", "inferno"));
        o.put("opacity", a.get("opacity", "0.5"));
        o.put("fit", a.get("fit", "error"));
        o.put("layerres", "true");
        o.put("roi", a.get("roi", null));   // not a command parameter: becomes each image's ROI
        return o;
    }

    /** Explains and writes one file; returns the result image of every plane. */
    static List<ImagePlus> explainFile(SciJavaCommands commands, ExplainRequest.Method method,
                                       Map<String, String> options, Path file, OutputFiles output, StringBuilder table,
                                       String lut, double opacity, PrintStream out) {
        ImagePlus imp = ImageFiles.open(file);
        ResultsTable predictions = table == null ? null    // the caller predicts itself (demo)
                : (ResultsTable) commands.run(PredictCommand.class, imp, options).getOutput("table");
        String base = stem(file);
        boolean volumes = commands.models().get(new java.io.File(options.get("model")), options.get("device"))
                .isVolumetric();
        int planes = volumes ? imp.getNFrames() : imp.getNSlices() * imp.getNFrames();
        Roi roi = options.get("roi") == null ? null : Samples.maskRoi(Path.of(options.get("roi")), imp);
        List<ImagePlus> results = new java.util.ArrayList<>();
        for (int s = 0; s < planes; s++) {
            String stem = planes == 1 ? base : base + String.format(Locale.ROOT, "_s%03d", s + 1);
            ImagePlus plane = volumes ? Samples.frame(imp, s) : Samples.plane(imp, s);
            if (roi != null) {
                plane.setRoi((Roi) roi.clone());
            }
            Map<String, String> o = new LinkedHashMap<>(options);
            if (o.get("top") == null) {
                o.put("top", method == ExplainRequest.Method.DECONVNET ? "8" : "0");
            }
            Module m = commands.run(commandFor(method), plane, o);
            String key = key(method, options);
            write(output, stem + "_" + key, (ImagePlus) m.getOutput("result"), plane, lut, opacity,
                    method != ExplainRequest.Method.CAM && method != ExplainRequest.Method.GRADCAM);
            if (m.getOutput("layermaps") instanceof ImagePlus layer) {
                output.tiff(stem + "_" + key + "_layer.tif", layer);
            }
            if (m.getOutput("guidedmaps") instanceof ImagePlus guided) {
                write(output, stem + "_guided" + key, guided, plane, lut, opacity, true);
            }
            out.println(output.dir().resolve(stem + "_" + key + ".tif"));
            results.add((ImagePlus) m.getOutput("result"));
        }
        if (table != null) {
            for (int r = 0; r < predictions.size(); r++) {
                table.append(csvRow(file.getFileName().toString(), predictions, r));
            }
        }
        return results;
    }

    private static Class<? extends Command> commandFor(ExplainRequest.Method method) {
        return switch (method) {
            case FEATUREMAPS -> FeatureMapsCommand.class;
            case DECONVNET -> DeconvnetCommand.class;
            case CAM -> CamCommand.class;
            case GRADCAM -> GradCamCommand.class;
        };
    }

    /** File-name token: featuremaps, the deconvnet rule, cam, or the Grad-CAM variant. */
    static String key(ExplainRequest.Method method, Map<String, String> o) {
        return switch (method) {
            case FEATUREMAPS -> "featuremaps";
            case DECONVNET -> o.getOrDefault("rule", "deconvnet").toLowerCase(Locale.ROOT);
            case CAM -> "cam";
            case GRADCAM -> o.getOrDefault("variant", "gradcam").toLowerCase(Locale.ROOT);
        };
    }

    /** The TIFF and the overlay PNG of one result (of a z-stack: the slice where the first map peaks). */
    private static void write(OutputFiles output, String name, ImagePlus maps, ImagePlus plane, String lut,
                              double opacity, boolean magnitude) {
        output.tiff(name + ".tif", maps);
        int depth = plane.getNSlices() == maps.getNSlices() ? plane.getNSlices() : 1;
        int peak = 1;
        float best = Float.NEGATIVE_INFINITY;
        for (int z = 1; z <= depth; z++) {
            for (float v : (float[]) maps.getStack().getProcessor(z).getPixels()) {
                if ((magnitude ? Math.abs(v) : v) > best) {
                    best = magnitude ? Math.abs(v) : v;
                    peak = z;
                }
            }
        }
        float[] shown = ((float[]) maps.getStack().getProcessor(peak).getPixels()).clone();
        if (magnitude) {
            for (int i = 0; i < shown.length; i++) {
                shown[i] = Math.abs(shown[i]);
            }
        }
        output.png(name + "_overlay.png", HeatmapRendering.blend(plane.getStack().getProcessor(
                plane.getStackIndex(1, peak, 1)), shown, Luts.get(lut), opacity));
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

    /** One row of the Predict command's table as CSV. */
    static String csvRow(String image, ResultsTable t, int r) {
        StringBuilder b = new StringBuilder();
        b.append(image.replace(',', '_')).append(',').append((int) t.getValue("Slice", r)).append(',')
                .append((int) t.getValue("Index", r)).append(',')
                .append(t.getStringValue("Predicted", r).replace(',', '_')).append(',')
                .append(String.format(Locale.ROOT, "%.6f", t.getValue("Probability", r)));
        for (String column : t.getHeadings()) {
            if (column.startsWith("p(")) {
                b.append(String.format(Locale.ROOT, ",%.6f", t.getValue(column, r)));
            }
        }
        return b.append('\n').toString();
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
