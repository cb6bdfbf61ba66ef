package org.cnnexplain.model;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnexplain.UserError;

/**
 * What the model file itself does not say: class names, the input shape it was
 * trained on, and how pixels were normalised. Read from {@code <model stem>.json}
 * beside the model, for example {@code demo.json} beside {@code demo.onnx}:
 *
 * <pre>
 * {
 *   "name": "demo-cells",
 *   "classes": ["interphase", "mitotic", "speckled", "empty"],
 *   "input": {"axes": "bcyx", "shape": [1, 1, 128, 128]},
 *   "normalize": {"mode": "percentile", "low": 1.0, "high": 99.8}
 * }
 * </pre>
 *
 * {@code normalize.mode} is one of {@code none}, {@code minmax}, {@code percentile}
 * (with {@code low}/{@code high} in percent), {@code zscore}, or {@code fixed}
 * (with per-channel {@code mean}/{@code std}, after multiplying by {@code scale},
 * e.g. 1/255 and the ImageNet statistics). {@code activation} ({@code softmax} or
 * {@code sigmoid}) says how scores become probabilities; see {@link #activationFor}.
 * {@code preprocessing} (bioimage.io steps, see {@link Processing}) is what a bioimage.io package
 * brings ({@link BioImageIoPackage}); when present it is {@code normalize=model}. {@code halo} (pixels) is
 * the halo the package declares on its output: {@code fit=tile} grows the tiles of a per-pixel model by it
 * instead of the receptive field it reads from the graph.
 */
public record ModelSpec(String name, List<String> classes, Input input, Normalize normalize, String activation,
                        List<Processing> preprocessing, Integer halo) {

    /** How scores become probabilities: one softmax over the classes, or one sigmoid per class. */
    public enum Activation { SOFTMAX, SIGMOID }

    /**
     * Without {@code halo}: the output pixels a per-pixel model's publisher says to crop from each side of a
     * tile (a bioimage.io output's {@code halo}, the largest over its space axes), null when none is declared.
     */
    public ModelSpec(String name, List<String> classes, Input input, Normalize normalize, String activation,
                     List<Processing> preprocessing) {
        this(name, classes, input, normalize, activation, preprocessing, null);
    }

    public ModelSpec(String name, List<String> classes, Input input, Normalize normalize) {
        this(name, classes, input, normalize, null, null);
    }

    public ModelSpec(String name, List<String> classes, Input input, Normalize normalize, String activation) {
        this(name, classes, input, normalize, activation, null);
    }

    /**
     * One bioimage.io processing step, e.g. {@code scale_range} with {@code {min_percentile: 1,
     * max_percentile: 99.8, axes: [x, y]}}; {@code image.Preprocessing} applies them in order. A spec
     * with a non-null {@code preprocessing} list (a bioimage.io package) uses it for {@code normalize=model}.
     */
    public record Processing(String op, java.util.Map<String, Object> kwargs) {
    }

    /**
     * The spec's {@code activation} ({@code "softmax"} or {@code "sigmoid"}); without one, softmax
     * for {@code outputs} > 1 classes and sigmoid for a single output (a binary model).
     */
    public Activation activationFor(long outputs) {
        if (activation == null || activation.isEmpty()) {
            return outputs == 1 ? Activation.SIGMOID : Activation.SOFTMAX;
        }
        return switch (activation) {
            case "softmax" -> Activation.SOFTMAX;
            case "sigmoid" -> Activation.SIGMOID;
            default -> throw new UserError("model spec: activation '" + activation + "' is not one of softmax, sigmoid");
        };
    }

    /**
     * The input tensor: {@code axes} such as {@code bcyx}, and either a fixed {@code shape} or, for
     * a model that takes other sizes, the smallest size {@code min} and the {@code step} each axis
     * may grow by (bioimage.io's {@code {min, step}}; a step of 0 means fixed at min).
     */
    public record Input(String axes, long[] shape, long[] min, long[] step) {

        public Input(String axes, long[] shape) {
            this(axes, shape, null, null);
        }
    }

    public record Normalize(String mode, Double low, Double high, double[] mean, double[] std, Double scale) {
    }

    /** Where the spec of {@code model} is: {@code <stem>.json} beside it. */
    public static Path fileFor(Path model) {
        String file = model.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return model.resolveSibling((dot > 0 ? file.substring(0, dot) : file) + ".json");
    }

    /** The spec beside {@code model}, or null when there is none. */
    public static ModelSpec besideModel(Path model) {
        Path json = fileFor(model);
        if (!Files.isRegularFile(json)) {
            return null;
        }
        try {
            ModelSpec spec = new Gson().fromJson(Files.readString(json), ModelSpec.class);
            if (spec == null) {
                throw new UserError("model spec '" + json.getFileName() + "' is empty");
            }
            return spec;
        } catch (IOException | JsonParseException e) {
            throw new UserError("model spec '" + json.getFileName() + "' is not valid JSON: " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
