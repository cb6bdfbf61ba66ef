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
                case "featuremaps", "deconvnet", "cam", "gradcam" -> ExplainCommand.run(argv[0], rest, out, err);
                default -> throw new UserError("unknown command '" + argv[0]
                        + "' (valid: predict, layers, featuremaps, deconvnet, cam, gradcam, evaluate, demo, check)");
            };
        } catch (UserError e) {
            err.println("cnn-explain: error: " + e.getMessage());
            return 2;
        } catch (RuntimeException | Error e) {
            err.println("cnn-explain: internal error: " + e + (debug ? "" : " (run with --debug for details)"));
            if (debug) {
                e.printStackTrace(err);
            }
            return 3;
        }
    }
}
