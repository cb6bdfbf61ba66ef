package org.cnnexplain.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.cnnexplain.UserError;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;
import org.cnnexplain.model.ModelLoader;

/**
 * {@code layers}: one tab-separated line per node: name, op type, output shape ({@code 1x64x16x16}, or
 * {@code scalar}) for the model's input size, or for {@code --size WxH} (width x height, as ImageJ
 * says it; {@code WxHxD} for a 3-D model) when the model takes any size. Without {@code --size}
 * such a model's table is for its default size, which stderr names.
 */
final class LayersCommand {

    private LayersCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = new Args("layers", argv, Set.of("model", "device", "size"), Set.of());
        try (ExplainableModel model = ModelLoader.load(Path.of(args.require("model")), args.get("device", "auto"))) {
            String size = args.get("size", null);
            long[] shape;
            if (size != null) {
                shape = model.shapeFor(spatial(size));
                if (!model.takesAnySize() && !Arrays.equals(shape, model.referenceShape())) {
                    throw new UserError("layers: model '" + model.path().getFileName() + "' takes only "
                            + size(model.referenceShape()) + " pixels; --size " + size + " does not fit it");
                }
            } else {
                shape = model.referenceShape();
                if (model.takesAnySize()) {
                    err.println("cnn-explain: layers for an input of " + size(shape) + " pixels (the model takes any"
                            + " size; choose one with --size WxH)");
                }
            }
            for (Layer l : model.layers(shape)) {
                out.println(l.name() + "\t" + l.opType() + "\t" + shape(l.shape()));
            }
        }
        return 0;
    }

    /** "256x128" (width x height) → {128, 256}; "64x64x16" (width x height x depth) → {16, 64, 64}. */
    static long[] spatial(String size) {
        String[] parts = size.trim().toLowerCase(java.util.Locale.ROOT).split("x");
        long[] wh = new long[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                wh[i] = Long.parseLong(parts[i].trim());
                if (wh[i] < 1) {
                    throw new NumberFormatException();
                }
            }
        } catch (NumberFormatException e) {
            wh = new long[0];
        }
        if (wh.length < 2 || wh.length > 3) {
            throw new UserError("layers: --size '" + size + "' is not WIDTHxHEIGHT (e.g. 256x256) or"
                    + " WIDTHxHEIGHTxDEPTH of positive whole numbers");
        }
        return wh.length == 2 ? new long[] {wh[1], wh[0]} : new long[] {wh[2], wh[1], wh[0]};
    }

    /** "256x128" (width x height) of the shape (N, C, [D,] H, W). */
    private static String size(long[] shape) {
        long[] s = Arrays.copyOfRange(shape, 2, shape.length);
        long[] xyz = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            xyz[i] = s[s.length - 1 - i];
        }
        return Arrays.stream(xyz).mapToObj(Long::toString).collect(Collectors.joining("x"));
    }

    static String shape(long[] s) {
        if (s.length == 0) {
            return "scalar";
        }
        return Arrays.stream(s).mapToObj(Long::toString).collect(Collectors.joining("x"));
    }
}
