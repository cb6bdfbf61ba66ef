package org.cnnexplain.tile;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.model.BioImageIoPackage;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.model.Prediction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bioimage.io package's own {@code halo} sets the tiles of a per-pixel model: the 0.5 package's 8 px
 * and the 0.4 package's 12 px (the same net) instead of the 2 px receptive field read from the graph,
 * which the same package without a halo gets. The grid follows (tiles of 256 px grown by the halo over a
 * 504 px wide field: 3 tiles with either package halo, 2 with the graph's), and the output still equals
 * a run on the whole field.
 */
class PackageHaloTest {

    static final Path DIR = Path.of("src/test/resources/bioimageio");

    @Test
    void thePackagesHaloGrowsTheTiles(@TempDir Path tmp) throws Exception {
        Path plain = tmp.resolve("no-halo");
        Files.createDirectories(plain);
        for (String f : List.of("weights.onnx", "weights.pt", "test_input.npy", "test_output.npy", "README.md")) {
            Files.copy(DIR.resolve("nuclei-like").resolve(f), plain.resolve(f));
        }
        Files.writeString(plain.resolve("rdf.yaml"), Files.readString(DIR.resolve("nuclei-like/rdf.yaml"))
                .replace("        halo: 8\n", ""));
        check(DIR.resolve("nuclei-like"), "3 tiles of 256 x 256 px, halo 8 px (the package's)");
        check(DIR.resolve("nuclei-like-v04"), "3 tiles of 256 x 256 px, halo 12 px (the package's)");
        check(plain, "2 tiles of 256 x 256 px, halo 2 px (receptive field 2 px)");
    }

    private static void check(Path pkg, String expected) {
        try (ExplainableModel m = ModelLoader.load(BioImageIoPackage.open(pkg), "cpu")) {
            int w = 504;   // a size the model takes: the whole run is not padded
            int h = 256;
            java.util.Random random = new java.util.Random(5);
            float[] px = new float[w * h];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) random.nextGaussian();
            }
            TiledRun.Outputs tiled = TiledRun.segment(m, new TiledRun.Field(px, 1, w, h, null), 0,
                    TiledRun.Listener.NONE);
            assertTrue(tiled.how().equals("tiled: " + expected), pkg.getFileName() + ": " + tiled.how());
            float[] whole;
            try (NDManager run = m.newRun()) {
                ai.djl.ndarray.NDArray logits = m.logits(run, Tensors.of(run, px, new ai.djl.ndarray.types.Shape(1, 1, h, w)));
                whole = Prediction.probabilities(logits, m.activation(logits)).toFloatArray();
            }
            float worst = 0;
            for (int i = 0; i < whole.length; i++) {
                worst = Math.max(worst, Math.abs(whole[i] - tiled.data()[i]));
            }
            assertTrue(worst <= 1e-5, pkg.getFileName() + ": max |tiled - whole| " + worst);
        }
    }
}
