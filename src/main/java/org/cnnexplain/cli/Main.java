package org.cnnexplain.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.cnnexplain.UserError;

/**
 * {@code cnn-explain <command> [options]}: the entry point of the launcher script.
 *
 * <pre>
 * cnn-explain predict --model M --input IMG [--normalize MODE] [--device auto|cpu|gpu]
 * cnn-explain layers  --model M [--size WxH] [--device D]
 * cnn-explain featuremaps|deconvnet|cam|gradcam --model M --input IMG --output DIR [options]
 * cnn-explain atlas   --model M --input DIR --layer L --output DIR [--top K] [--channels LIST|--first N]
 * cnn-explain rules   --model M --input DIR --output DIR [--layer L] [--pool max|mean] [--depth 3] ...
 * cnn-explain maximize --model M (--target CLASS | --layer L [--channels LIST|--top K] [--neuron X,Y]) --output DIR
 * cnn-explain demo    [--device D]
 * cnn-explain check   --model PKG [--weights onnx|torchscript] [--device D]
 * </pre>
 * {@code --model} is a model file (.onnx, .pt) or a bioimage.io package (folder, .zip, rdf.yaml).
 */
public final class Main {

    static final String USAGE = String.join("\n",
            "usage: cnn-explain <command> [options]",
            "  predict --model M --input IMG|DIR [--normalize model|none|minmax|percentile|zscore] [--device auto|cpu|gpu]",
            "          [--fit error|resize|tile [--stride N]] [--quiet] [--output DIR [--overwrite]]",
            "  layers  --model M [--size WxH[xD]] [--device auto|cpu|gpu]",
            "  evaluate --model M --input IMG|DIR --mask MASK|DIR --output DIR [--methods LIST|all] [--layer L]",
            "      [--target T] [--tolerance PX] [--steps N] [--normalize MODE] [--device D] [--overwrite]",
            "  featuremaps|deconvnet|cam|gradcam --model M --input IMG|DIR --output DIR [--layer L] [--target T]",
            "      [--score logit|probability] [--variant gradcam|gradcampp|xgradcam|layercam|hirescam|eigencam|scorecam]",
            "      [--guided] [--rule deconvnet|guided|gradient] [--channels LIST | --top K] [--signal peak|channel|class]",
            "      [--sort none|mean|max] [--lut inferno|viridis|turbo|fire|...] [--opacity 0-1] [--batch N]",
            "      [--normalize MODE] [--device D] [--fit error|resize|tile [--stride N]] [--roi MASK.tif] [--overwrite]",
            "      [--summary] [--quiet] [--per-plane]",
            "  atlas   --model M --input DIR --layer L --output DIR [--top K] [--channels LIST | --first N]",
            "      [--all-positions] [--rule deconvnet|guided|gradient] [--no-importance] [--normalize MODE] [--device D]",
            "      [--fit error|resize] [--overwrite] [--quiet]   neuron atlas and class-channel importance",
            "  rules   --model M --input DIR --output DIR [--layer L] [--pool max|mean] [--depth 3] [--min-leaf 5]",
            "      [--alpha 0] [--folds 5] [--seed 0] [--atlas DIR] [--normalize MODE] [--device D] [--overwrite] [--quiet]",
            "  maximize --model M (--target CLASS[,CLASS...]|all | --layer L [--channels LIST | --top K] [--neuron X,Y|centre])",
            "      --output DIR [--input IMG|DIR] [--steps N] [--rate R] [--seed S] [--range LOW,HIGH|auto] [--jitter PX]",
            "      [--scaling F] [--rotation DEG] [--decay W] [--tv W] [--blur SIGMA] [--blurevery N] [--pixels]",
            "      [--normalize MODE] [--device D] [--overwrite] [--quiet]",
            "  demo    [--device auto|cpu|gpu] [--output DIR] [--quiet]",
            "  check   --model PKG [--weights onnx|torchscript] [--device auto|cpu|gpu]   a bioimage.io package's own test",
            "--model M is an .onnx or TorchScript .pt file, or a bioimage.io package (folder, .zip or rdf.yaml).",
            "Add --debug to see stack traces of internal errors.");

    private Main() {
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    /** Runs one command; returns the process exit code (0 ok, 1 some inputs failed, 2 user error, 3 internal error). */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
            (argv.length == 0 ? err : out).println(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        List<String> rest = Arrays.asList(argv).subList(1, argv.length);
        boolean debug = rest.contains("--debug");
        try {
            return switch (argv[0]) {
                case "predict" -> PredictCommand.run(rest, out, err);
                case "layers" -> LayersCommand.run(rest, out, err);
                case "demo" -> DemoCommand.run(rest, out, err);
                case "check" -> CheckCommand.run(rest, out, err);
                case "evaluate" -> EvaluateCommand.run(rest, out, err);
                case "atlas" -> AtlasCommand.run(rest, out, err);
                case "rules" -> RulesCommand.run(rest, out, err);
                case "maximize" -> MaximizeCommand.run(rest, out, err);
                case "featuremaps", "deconvnet", "cam", "gradcam" -> ExplainCommand.run(argv[0], rest, out, err);
                default -> throw new UserError("unknown command '" + argv[0]
                        + "' (valid: predict, layers, featuremaps, deconvnet, cam, gradcam, evaluate, atlas, rules, maximize,"
                        + " demo, check)");
            };
        } catch (RuntimeException | Error e) {
            return failed(e, err, debug);
        }
    }

    /**
     * How every front-end (this CLI, the Spark job) ends on an exception: a user error is one line
     * and exit code 2; anything else is named as internal, with its stack trace under {@code --debug},
     * and exit code 3.
     */
    public static int failed(Throwable e, PrintStream err, boolean debug) {
        if (e instanceof UserError) {
            err.println("cnn-explain: error: " + e.getMessage());
            return 2;
        }
        err.println("cnn-explain: internal error: " + e + (debug ? "" : " (run with --debug for details)"));
        if (debug) {
            e.printStackTrace(err);
        }
        return 3;
    }
}
