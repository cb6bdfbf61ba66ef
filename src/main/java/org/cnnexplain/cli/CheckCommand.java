package org.cnnexplain.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.cnnexplain.image.PackageCheck;
import org.cnnexplain.model.BioImageIoPackage;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;

/**
 * {@code check --model PKG [--weights onnx|torchscript]}: runs a bioimage.io package's test tensors and prints one line,
 * e.g. {@code demo-cells: max |error| 2.38e-07, 0 of 4 elements beyond ...: pass}. Exit code 0
 * when it passes, 1 when it does not.
 */
final class CheckCommand {

    private CheckCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = new Args("check", argv, Set.of("model", "device", "weights"), Set.of());
        BioImageIoPackage pkg = BioImageIoPackage.open(Path.of(args.require("model")), args.get("weights", null));
        try (ExplainableModel model = ModelLoader.load(pkg, args.get("device", "auto"))) {
            err.println("cnn-explain: " + pkg.describe() + "; on " + model.device());
            PackageCheck.Result r = PackageCheck.run(pkg, model);
            out.println(pkg.spec().name() + " (" + pkg.weightsFormat() + "): " + r.describe());
            return r.passed() ? 0 : 1;
        }
    }
}
