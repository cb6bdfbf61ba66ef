package org.cnnexplain.model;

import static org.cnnexplain.testutil.Compare.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo classifier through the whole Java pipeline (TIFF via ImageJ 1,
 * percentile normalisation, engine) against PyTorch on the committed held-out
 * images: same logits, hence exactly the same predictions.
 */
class DemoModelTest {

    static ExplainableModel model;

    @BeforeAll
    static void load() {
        model = ModelLoader.load(TestModels.DEMO_MODEL, "cpu");
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void logitsAndPredictionsMatchPyTorchOnHeldOutImages() throws Exception {
        Npy golden = Npy.read(TestModels.golden("demo", "logits.npy"));
        List<String> lines = Files.readAllLines(TestModels.DEMO_IMAGES.resolve("labels.csv"));
        List<String> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            files.add(line.split(",")[0]);
            labels.add(Integer.parseInt(line.split(",")[1]));
        }
        int k = model.classNames().size();
        float[] logits = new float[files.size() * k];
        int correct = 0;
        for (int i = 0; i < files.size(); i++) {
            Path file = TestModels.DEMO_IMAGES.resolve(files.get(i));
            TensorBatch batch = TensorBatch.of(ImagePlusImgs.toFloat(IJ.openImage(file.toString())), 1,
                    Normalization.of("model", model.spec()));
            Prediction p = Prediction.of(model, batch).get(0);
            System.arraycopy(p.scores(), 0, logits, i * k, k);
            int torchTop1 = Prediction.argMax(java.util.Arrays.copyOfRange(golden.data(), i * k, (i + 1) * k));
            assertEquals(torchTop1, p.top1(), files.get(i) + ": prediction differs from PyTorch");
            correct += p.top1() == labels.get(i) ? 1 : 0;
        }
        assertClose(logits, new long[] {files.size(), k}, golden, 1e-4, "demo logits vs PyTorch");
        assertTrue(correct >= 0.95 * files.size(), "accuracy " + correct + "/" + files.size());
    }

    @Test
    void classNamesComeFromTheSpec() {
        assertEquals(List.of("interphase", "mitotic", "speckled", "empty"), model.classNames());
    }

    @Test
    void moduleNamesResolveToTheLastNodeInside() {
        Layer l = model.resolveLayer("block4");
        assertEquals("Relu", l.opType());
        assertTrue(l.name().startsWith("/block4/"), l.name());
        assertEquals(List.of(1L, 64L, 16L, 16L), java.util.Arrays.stream(l.shape()).boxed().toList());
    }
}
