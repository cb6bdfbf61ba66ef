package org.cnnexplain.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;
import org.cnnexplain.model.ModelLoader;

/** {@code layers}: one tab-separated line per node: name, op type, output shape for the model's input size
 * ({@code 1x64x16x16}, or {@code scalar}). */
final class LayersCommand {

    private LayersCommand() {
    }

    static int run(List<String> argv, PrintStream out) {
        Args args = new Args("layers", argv, Set.of("model", "device"), Set.of());
        try (ExplainableModel model = ModelLoader.load(Path.of(args.require("model")), args.get("device", "auto"))) {
            for (Layer l : model.layers()) {
                out.println(l.name() + "\t" + l.opType() + "\t" + shape(l.shape()));
            }
        }
        return 0;
    }

    static String shape(long[] s) {
        if (s.length == 0) {
            return "scalar";
        }
        return Arrays.stream(s).mapToObj(Long::toString).collect(Collectors.joining("x"));
    }
}
