package org.cnnexplain.cli;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import ij.measure.ResultsTable;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
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
 * options as its parameters, and writes, per image and method key
 * ({@code featuremaps}, {@code deconvnet}, {@code guided}, {@code gradient},
 * {@code cam}, a variant name, {@code guided<variant>}):
 * <ul>
 *   <li>{@code <stem>_<key>.tif}: raw 32-bit maps at input resolution, one slice per map, labelled;
 *       of a stack, every plane's maps in one file, the labels saying the plane ({@code z=3: ...});</li>
 *   <li>{@code <stem>_<key>_layer.tif}: the same at the layer's resolution (CAM-type methods, feature maps);</li>
 *   <li>{@code <stem>_<key>_overlay.png}: the input in grey with the first map in a LUT (|map| for gradients,
 *       max |.| over channels for per-channel maps); of a stack, {@code _overlay.tif} with a page per plane;</li>
 * </ul>
 * and one row per image and plane in {@code predictions.csv} (written at the end, whole), and with
 * {@code --summary} a contact sheet ({@link Summary}). {@code --per-plane} writes the files of plane k
 * of a stack separately under {@code <stem>_s<k>} (the former layout, kept for one release).
 * A 3-D model takes each time point's z-stack as one sample: its maps are z-stacks, and the
 * overlay shows the slice where the map peaks. {@code --roi mask.tif} (a segmentation model)
 * sums the target class over the mask's non-zero pixels, on every image.
 */
final class ExplainCommand {

    static final Set<String> OPTIONS = Set.of("model", "input", "output", "layer", "target", "score", "variant",
            "rule", "channels", "top", "signal", "sort", "normalize", "device", "lut", "opacity", "batch", "fit", "stride", "roi",
            "samples", "smoothgrad", "noise", "seed");
    static final Set<String> FLAGS = Set.of("guided", "overwrite", "per-plane", "summary", "quiet", "augment",
            "eigensmooth");

    private ExplainCommand() {
    }

    static int run(String command, List<String> argv, PrintStream out, PrintStream err) {
        Args args = new Args(command, argv, OPTIONS, FLAGS);
        Settings settings = Settings.of(command, args);
        ExplainRequest.Method method = settings.method();
        Map<String, String> options = settings.options();
        String lut = settings.lut();
        double opacity = settings.opacity();
        List<Path> files = ImageFiles.list(Path.of(args.require("input")));
        OutputFiles output = new OutputFiles(Path.of(args.require("output")), args.flag("overwrite"));
        output.claim("predictions.csv");
        Summary summary = args.flag("summary") ? new Summary(output, null) : null;
        boolean quiet = args.flag("quiet");
        try (SciJavaCommands commands = new SciJavaCommands()) {
            ExplainableModel model = settings.model(commands);
            if (!quiet) {
                err.println("cnn-explain: " + command + " with " + model.path().getFileName() + " on " + model.device()
                        + ", normalisation " + Normalization.of(options.get("normalize"), model.spec()).describe());
            }
            StringBuilder table = new StringBuilder(csvHeader(model.classNames()));
            int failed = 0;
            Progress images = Progress.of(err, files.size(), "images", quiet);
            if ("tile".equals(options.get("fit"))) {
                commands.onTiles(err, quiet, files.size() == 1);
            }
            for (Path file : files) {
                try {
                    // one image: its planes are the progress; a folder: its images
                    IntFunction<Progress> planes = files.size() == 1 ? n -> Progress.of(err, n, "planes", quiet)
                            : n -> Progress.NONE;
                    Explained e = explainFile(commands, method, options, file, output, table, lut, opacity, out,
                            settings.perPlane(), planes);
                    if (summary != null) {
                        summary.add(file.getFileName().toString(), e, null, null);
                    }
                } catch (UserError e) {
                    if (files.size() == 1) {
                        throw e;
                    }
                    images.interrupt();
                    err.println("cnn-explain: skipped " + file.getFileName() + ": " + e.getMessage());
                    failed++;
                }
                images.step();
            }
            if (failed < files.size()) {
                output.text("predictions.csv", table.toString());
                if (summary != null) {
                    summary.write();
                }
            }
            return failed == 0 ? 0 : 1;
        }
    }

    /**
     * What an explain command does to every image, checked before any model is loaded: the method, the
     * commands' options, and how overlays are drawn.
     */
    record Settings(ExplainRequest.Method method, Map<String, String> options, String lut, double opacity,
                    boolean perPlane) {

        static Settings of(String command, Args args) {
            ExplainRequest.Method method = ExplainRequest.Method.parse(command);
            Map<String, String> options = ExplainCommand.options(args);
            String lut = args.get("lut", "inferno");
            Luts.get(lut);
            double opacity = ExplainCommand.parseDouble(args.get("opacity", "0.5"), "opacity");
            Normalization.of(args.get("normalize", "model"), null);
            return new Settings(method, options, lut, opacity, args.flag("per-plane"));
        }

        /** The model (loaded once per context), refused when {@code --roi} asks for what it cannot do. */
        ExplainableModel model(SciJavaCommands commands) {
            ExplainableModel model = commands.models().get(Path.of(options.get("model")).toFile(), options.get("device"));
            if (options.get("roi") != null && !model.hasSpatialOutput()) {
                throw new UserError("--roi needs a model with a per-pixel output (a segmentation net); "
                        + model.path().getFileName() + " classifies whole images");
            }
            return model;
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
        o.put("batch", a.get("batch", Integer.toString(org.cnnexplain.explain.ScoreCam.DEFAULT_BATCH)));
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
        o.put("stride", a.get("stride", "0"));
        o.put("layerres", "true");
        o.put("roi", a.get("roi", null));   // not a command parameter: becomes each image's ROI
        return o;
    }

    /**
     * What one input file gave: the result maps and the overlay of its first plane (for pictures
     * and the demo's scores), and the names of the files written for it, main map first.
     */
    record Explained(ImagePlus firstMaps, ImageProcessor firstPlane, ColorProcessor firstOverlay, List<String> files,
                     ResultsTable predictions) {
    }

    /**
     * Explains and writes one file. A multi-plane input gives one stack per method and kind (planes as
     * labelled slices) and one multi-page overlay, unless {@code perPlane} asks for the old
     * {@code <stem>_s<k>_...} files; {@code progress} makes the progress of the planes from their number.
     */
    static Explained explainFile(SciJavaCommands commands, ExplainRequest.Method method, Map<String, String> options,
                                 Path file, OutputFiles output, StringBuilder table, String lut, double opacity,
                                 PrintStream out, boolean perPlane, IntFunction<Progress> planeProgress) {
        ImagePlus imp = ImageFiles.open(file);
        ResultsTable predictions = table == null ? null    // the caller predicts itself (demo)
                : (ResultsTable) commands.run(PredictCommand.class, imp, options).getOutput("table");
        String base = stem(file);
        boolean volumes = commands.models().get(new java.io.File(options.get("model")), options.get("device"))
                .isVolumetric();
        int planes = volumes ? imp.getNFrames() : imp.getNSlices() * imp.getNFrames();
        boolean split = perPlane || planes == 1;
        Progress progress = planeProgress.apply(planes);
        Roi roi = options.get("roi") == null ? null : Samples.maskRoi(Path.of(options.get("roi")), imp);
        String key = key(method, options);
        Map<String, StackParts> stacks = new LinkedHashMap<>();   // name suffix -> every plane's result
        List<String> written = new ArrayList<>();
        Explained first = null;
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
            ImagePlus result = (ImagePlus) m.getOutput("result");
            if ("tile".equals(o.get("fit")) && result.getInfoProperty() != null) {
                commands.note(file.getFileName() + ": " + result.getInfoProperty());
            }
            boolean signed = method != ExplainRequest.Method.CAM && method != ExplainRequest.Method.GRADCAM;
            Map<String, ImagePlus> kinds = new LinkedHashMap<>();
            kinds.put(key, result);
            if (m.getOutput("layermaps") instanceof ImagePlus layer) {
                kinds.put(key + "_layer", layer);
            }
            if (m.getOutput("guidedmaps") instanceof ImagePlus guided) {
                kinds.put("guided" + key, guided);
            }
            if (m.getOutput("classmap") instanceof ImagePlus classes) {
                kinds.put("classmap", classes);
            }
            String label = planes == 1 ? "" : Samples.label(imp, s, volumes);
            for (Map.Entry<String, ImagePlus> kind : kinds.entrySet()) {
                boolean layerKind = kind.getKey().endsWith("_layer") || kind.getKey().equals("classmap");
                ColorProcessor overlay = layerKind ? null
                        : overlay(kind.getValue(), plane, lut, opacity, signed || kind.getKey().startsWith("guided"));
                if (s == 0 && kind.getKey().equals(key)) {
                    first = new Explained(result, plane.getStack().getProcessor(1), overlay, written, predictions);
                }
                if (split) {
                    written.add(output.tiff(stem + "_" + kind.getKey() + ".tif", kind.getValue()));
                    if (overlay != null) {
                        written.add(output.png(stem + "_" + kind.getKey() + "_overlay.png", overlay));
                    }
                } else {
                    stacks.computeIfAbsent(kind.getKey(), k -> new StackParts()).add(label, kind.getValue(), overlay);
                }
            }
            if (split) {
                out.println(output.dir().resolve(stem + "_" + key + ".tif"));
            }
            progress.step();
        }
        for (Map.Entry<String, StackParts> e : stacks.entrySet()) {
            String name = base + "_" + e.getKey();
            written.add(output.tiff(name + ".tif", e.getValue().maps(imp.getTitle())));
            if (!e.getValue().overlays.isEmpty()) {
                written.add(output.tiff(name + "_overlay.tif", e.getValue().overlays(imp.getTitle())));
            }
        }
        if (!split) {
            out.println(output.dir().resolve(base + "_" + key + ".tif"));
        }
        if (table != null) {
            for (int r = 0; r < predictions.size(); r++) {
                table.append(csvRow(file.getFileName().toString(), predictions, r));
            }
        }
        return first;
    }

    /** Every plane's result of one kind, gathered into one stack whose slice labels say the plane. */
    private static final class StackParts {
        private final List<String> labels = new ArrayList<>();
        private final List<ImagePlus> maps = new ArrayList<>();
        private final List<ColorProcessor> overlays = new ArrayList<>();

        void add(String label, ImagePlus m, ColorProcessor overlay) {
            labels.add(label);
            maps.add(m);
            if (overlay != null) {
                overlays.add(overlay);
            }
        }

        /** The planes' maps one after another; a hyperstack (channels, z, maps x planes) where a plane's is one. */
        ImagePlus maps(String title) {
            ImagePlus one = maps.get(0);
            ImageStack all = new ImageStack(one.getWidth(), one.getHeight());
            for (int p = 0; p < maps.size(); p++) {
                ImageStack st = maps.get(p).getStack();
                for (int i = 1; i <= st.getSize(); i++) {
                    String l = st.getSliceLabel(i);
                    all.addSlice(labels.get(p) + ": " + (l == null ? "" : l), st.getProcessor(i));
                }
            }
            ImagePlus imp = new ImagePlus(title + " – " + one.getTitle().substring(one.getTitle().indexOf('–') + 1).trim(),
                    all);
            imp.setCalibration(one.getCalibration().copy());
            if (one.getNChannels() > 1 || one.getNSlices() > 1) {
                imp.setDimensions(one.getNChannels(), one.getNSlices(), all.getSize() / (one.getNChannels() * one.getNSlices()));
                imp.setOpenAsHyperStack(true);
            }
            imp.setDisplayRange(one.getDisplayRangeMin(), one.getDisplayRangeMax());
            return imp;
        }

        ImagePlus overlays(String title) {
            ImageStack all = new ImageStack(overlays.get(0).getWidth(), overlays.get(0).getHeight());
            for (int p = 0; p < overlays.size(); p++) {
                all.addSlice(labels.get(p), overlays.get(p));
            }
            ImagePlus imp = new ImagePlus(title + " – overlay", all);
            imp.setCalibration(maps.get(0).getCalibration().copy());
            return imp;
        }
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

    /**
     * The input plane in grey with the first map blended in (of a z-stack: at the slice where it
     * peaks). Signed maps show their magnitude; maps that keep the input's channels show their
     * maximum of |.| over channels, as {@link org.cnnexplain.explain.MapStack#combined()} does.
     */
    static ColorProcessor overlay(ImagePlus maps, ImagePlus plane, String lut, double opacity, boolean magnitude) {
        int depth = plane.getNSlices() == maps.getNSlices() ? plane.getNSlices() : 1;
        int channels = maps.getNChannels();
        boolean abs = magnitude || channels > 1;
        float[] shown = null;
        int peakZ = 1;
        float best = Float.NEGATIVE_INFINITY;
        for (int z = 1; z <= depth; z++) {
            float[] v = new float[maps.getWidth() * maps.getHeight()];
            for (int c = 1; c <= channels; c++) {
                float[] px = (float[]) maps.getStack().getProcessor(maps.getStackIndex(c, z, 1)).getPixels();
                for (int i = 0; i < v.length; i++) {
                    float x = abs ? Math.abs(px[i]) : px[i];
                    v[i] = c == 1 ? x : Math.max(v[i], x);
                }
            }
            float peak = Float.NEGATIVE_INFINITY;
            for (float x : v) {
                peak = Math.max(peak, x);
            }
            if (peak > best) {
                best = peak;
                shown = v;
                peakZ = z;
            }
        }
        ImageProcessor grey = plane.getStack().getProcessor(plane.getStackIndex(1, peakZ, 1));
        int longSide = Math.max(maps.getWidth(), maps.getHeight());
        if (longSide > MAX_OVERLAY) {   // a field of view: a picture of it, not a second copy at full size
            int w = Math.max(1, (int) Math.round(maps.getWidth() * (double) MAX_OVERLAY / longSide));
            int h = Math.max(1, (int) Math.round(maps.getHeight() * (double) MAX_OVERLAY / longSide));
            grey.setInterpolationMethod(ImageProcessor.BILINEAR);
            grey = grey.resize(w, h, true);
            ImageProcessor fp = new ij.process.FloatProcessor(maps.getWidth(), maps.getHeight(), shown);
            fp.setInterpolationMethod(ImageProcessor.BILINEAR);
            shown = (float[]) fp.resize(w, h, true).getPixels();
        }
        return HeatmapRendering.blend(grey, shown, Luts.get(lut), opacity);
    }

    /** The longest side of an overlay PNG; the TIFFs keep the full size. */
    static final int MAX_OVERLAY = 2048;

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
