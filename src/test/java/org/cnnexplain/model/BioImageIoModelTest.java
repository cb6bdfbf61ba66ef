package org.cnnexplain.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;

/**
 * The demo classifier as a bioimage.io package (exported 0.5 with ONNX weights; hand-written 0.4
 * with TorchScript weights) predicts what the JSON-spec route (demo.onnx + demo.json) predicts on
 * the demo images: the package's scale_range preprocessing equals the spec's percentile normalisation.
 */
class BioImageIoModelTest {

    static final Path DIR = Path.of("src/test/resources/bioimageio");

    @Test
    void packagesPredictWhatTheJsonSpecRoutePredicts() throws Exception {
        List<Path> images;
        try (Stream<Path> s = Files.list(TestModels.DEMO_IMAGES)) {
            images = s.filter(p -> p.toString().endsWith(".tif")).sorted().limit(8).toList();
        }
        try (ExplainableModel json = ModelLoader.load(TestModels.DEMO_MODEL, "cpu")) {
            for (String pkg : List.of("demo.bioimageio", "demo-v04")) {
                try (ExplainableModel m = ModelLoader.load(DIR.resolve(pkg), "cpu")) {
                    assertEquals(json.classNames(), m.classNames());
                    assertTrue(Normalization.of("model", m.spec()).describe().contains("scale_range"));
                    double worst = 0;
                    for (Path image : images) {
                        var img = ImagePlusImgs.toFloat(IJ.openImage(image.toString()));
                        Prediction a = Prediction.of(json, TensorBatch.of(img, 1, Normalization.of("model", json.spec())))
                                .get(0);
                        Prediction b = Prediction.of(m, TensorBatch.of(img, 1, Normalization.of("model", m.spec()))).get(0);
                        assertEquals(a.top1(), b.top1(), pkg + " " + image.getFileName());
                        for (int k = 0; k < a.scores().length; k++) {
                            worst = Math.max(worst, Math.abs(a.scores()[k] - b.scores()[k]));
                        }
                    }
                    System.out.println(pkg + ": max |logit difference| vs the JSON-spec route " + worst
                            + " over " + images.size() + " images");
                    assertTrue(worst < 1e-4, pkg + ": " + worst);
                }
            }
        }
    }

    @Test
    void otherNormaliseModesStillOverrideThePackage() throws Exception {
        try (ExplainableModel m = ModelLoader.load(DIR.resolve("demo.bioimageio"), "cpu")) {
            assertEquals("none", Normalization.of("none", m.spec()).describe());
            assertEquals("zscore", Normalization.of("zscore", m.spec()).describe());
        }
    }
}
