package org.cnnexplain.cli;

import com.google.gson.Gson;
import ij.measure.ResultsTable;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.model.ExplainableModel;

/**
 * One CLI command applied to one image at a time, for a caller that hands out the images itself (the
 * Spark job): the same option names, checks and defaults as {@code cnn-explain <command>}, the same
 * per-image code and the same files.
 *
 * <pre>{@code
 * try (ImageJob job = ImageJob.of("gradcam", List.of("--model", "demo.onnx", "--input", "x", "--output", "x"))) {
 *     ImageJob.Result r = job.run(Path.of("cell_000.tif"), Path.of("out"));
 *     r.files();    // [cell_000_gradcam.tif, cell_000_gradcam_overlay.png, cell_000_gradcam_layer.tif]
 *     r.planes();   // one prediction per plane
 * }
 * }</pre>
 * The model is loaded on the first {@link #run} and kept; runs may come from several threads (the model
 * takes concurrent runs; methods with gradients take turns on the JVM-wide autograd lock).
 */
public final class ImageJob implements AutoCloseable {

    /** The commands that work image by image. */
    public static final List<String> COMMANDS = List.of("predict", "featuremaps", "deconvnet", "cam", "gradcam");

    private final String command;
    private final Args args;
    private final ExplainCommand.Settings explain;   // null for predict
    private final Map<String, String> predict;       // null for the explain commands
    private SciJavaCommands commands;

    private ImageJob(String command, Args args, ExplainCommand.Settings explain, Map<String, String> predict) {
        this.command = command;
        this.args = args;
        this.explain = explain;
        this.predict = predict;
    }

    /** Checks {@code argv} as {@code cnn-explain <command>} would, without loading anything. */
    public static ImageJob of(String command, List<String> argv) {
        if (command.equals("predict")) {
            Args a = new Args(command, argv, PredictCommand.OPTIONS, PredictCommand.FLAGS);
            return new ImageJob(command, a, null, PredictCommand.options(a));
        }
        if (!COMMANDS.contains(command)) {
            throw new UserError("unknown command '" + command + "' (valid: " + String.join(", ", COMMANDS) + ")");
        }
        Args a = new Args(command, argv, ExplainCommand.OPTIONS, ExplainCommand.FLAGS);
        return new ImageJob(command, a, ExplainCommand.Settings.of(command, a), null);
    }

    /** Whether a file of this name is an image the CLI reads from a folder (by its extension; hidden files are not). */
    public static boolean isImageName(String fileName) {
        return ImageFiles.isImage(Path.of(fileName));
    }

    /** The name outputs of an image start with: its file name without the extension. */
    public static String stem(String fileName) {
        return ExplainCommand.stem(Path.of(fileName));
    }

    /** An option as given (null when absent), e.g. {@code input}, {@code output}, {@code model}. */
    public String option(String name) {
        return args.get(name, null);
    }

    public boolean flag(String name) {
        return args.flag(name);
    }

    /** The file-name token of the main output ({@code gradcam}, {@code layercam}, {@code cam}, ...; {@code predict}). */
    public String key() {
        return explain == null ? command : ExplainCommand.key(explain.method(), explain.options());
    }

    /** What one plane of an image was predicted as: its row of the CLI's {@code predictions.csv}. */
    public record Plane(int slice, int predictedIndex, String predictedClass, double probability,
                        float[] scores, float[] probabilities) {
    }

    /**
     * What one image gave: the model's class names, a prediction per plane, and the names of the files
     * written for it (main map first).
     */
    public record Result(List<String> classes, List<Plane> planes, List<String> files) {

        public String toJson() {
            return new Gson().toJson(this);
        }

        public static Result fromJson(String json) {
            return new Gson().fromJson(json, Result.class);
        }
    }

    /**
     * Runs the command on {@code image} (a local file) and writes its files into {@code dir}, replacing
     * what is there. A problem with this image (unreadable, wrong size, ...) is a {@link UserError}.
     */
    public Result run(Path image, Path dir) {
        SciJavaCommands c = commands();
        ExplainableModel model = explain != null ? explain.model(c)
                : c.models().get(Path.of(predict.get("model")).toFile(), predict.get("device"));
        OutputFiles output = new OutputFiles(dir, true);
        List<String> files = new ArrayList<>();
        ResultsTable table;
        if (explain == null) {
            table = PredictCommand.predictFile(c, predict, image, model.hasSpatialOutput() ? output : null, files);
        } else {
            ExplainCommand.Explained e = ExplainCommand.explainFile(c, explain.method(), explain.options(), image,
                    output, new StringBuilder(), explain.lut(), explain.opacity(), NOWHERE, explain.perPlane(),
                    n -> Progress.NONE);
            table = e.predictions();
            files.addAll(e.files());
        }
        List<String> classes = model.classNames();
        List<Plane> planes = new ArrayList<>();
        for (int r = 0; r < table.size(); r++) {
            planes.add(plane(table, r, classes));
        }
        return new Result(classes, planes, files);
    }

    private static Plane plane(ResultsTable t, int r, List<String> classes) {
        float[] scores = new float[classes.size()];
        float[] probs = new float[classes.size()];
        for (int k = 0; k < classes.size(); k++) {
            scores[k] = (float) t.getValue("score(" + classes.get(k) + ")", r);
            probs[k] = (float) t.getValue("p(" + classes.get(k) + ")", r);
        }
        return new Plane((int) t.getValue("Slice", r), (int) t.getValue("Index", r), t.getStringValue("Predicted", r),
                t.getValue("Probability", r), scores, probs);
    }

    private synchronized SciJavaCommands commands() {
        if (commands == null) {
            commands = new SciJavaCommands();
        }
        return commands;
    }

    /** Where the CLI's per-image lines go when nobody reads them. */
    private static final PrintStream NOWHERE = new PrintStream(java.io.OutputStream.nullOutputStream());

    @Override
    public synchronized void close() {
        if (commands != null) {
            commands.close();
            commands = null;
        }
    }
}
