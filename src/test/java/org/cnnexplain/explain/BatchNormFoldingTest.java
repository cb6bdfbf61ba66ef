package org.cnnexplain.explain;

import static org.cnnexplain.testutil.Compare.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import org.cnnexplain.graph.ExecutorProfile;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A model exported with its BatchNormalization nodes kept (make_bn_kept_model.py: torch's
 * TrainingMode.PRESERVE, 7 Conv → BatchNormalization pairs): the executor folds every pair whose Conv
 * output the run does not want, and the logits and Grad-CAM at the BatchNormalization's output and at the
 * Conv's own output stay those of plain torch autograd (1e-4 relative). Its ReLUs overwrite their inputs in
 * the forward pass, and not where autograd records.
 */
class BatchNormFoldingTest {

    @AfterEach
    void off() {
        ExecutorProfile.setEnabled(false);
        ExecutorProfile.reset();
    }

    @Test
    void foldedModelMatchesPyTorch() throws Exception {
        JsonObject meta = JsonParser.parseString(Files.readString(TestModels.golden("bnkept", "meta.json")))
                .getAsJsonObject();
        Npy x = Npy.read(TestModels.golden("bnkept", "input.npy"));
        try (ExplainableModel m = ModelLoader.load(TestModels.parityModel("bnkept", 13), "cpu");
             NDManager run = m.newRun()) {
            var in = Tensors.of(run, x.data(), new Shape(x.shape()));
            CamMethod gradCam = CamVariants.byName("gradcam", 0);
            gradCam.explain(m, run, in, meta.get("bn").getAsString(), Target.top1());   // layer table, once
            ExecutorProfile.setEnabled(true);

            ExecutorProfile.reset();
            var logits = m.logits(run, in);
            assertEquals(7, folds(), "every Conv → BatchNormalization pair folded in a plain forward pass");
            assertEquals(5, count(ExecutorProfile.RELU_IN_PLACE), "a forward pass overwrites the inputs of its 5 ReLUs");
            assertClose(logits.toFloatArray(), logits.getShape().getShape(),
                    Npy.read(TestModels.golden("bnkept", "logits.npy")), 1e-4, "logits");

            ExecutorProfile.reset();
            CamResult atBn = gradCam.explain(m, run, in, meta.get("bn").getAsString(), Target.top1());
            assertEquals(7, folds(), "Grad-CAM at a BatchNormalization output: its Conv's output is not needed");
            assertEquals(0, count(ExecutorProfile.RELU_IN_PLACE), "a run that records autograd overwrites nothing");
            check(atBn, "gradcam_bn.npy", "Grad-CAM at " + meta.get("bn").getAsString());

            ExecutorProfile.reset();
            CamResult atConv = gradCam.explain(m, run, in, meta.get("conv").getAsString(), Target.top1());
            assertEquals(6, folds(), "Grad-CAM at a Conv output: that pair runs unfolded, the others fold");
            check(atConv, "gradcam_conv.npy", "Grad-CAM at " + meta.get("conv").getAsString());
        }
    }

    private static long folds() {
        return count(ExecutorProfile.FOLDED_BATCH_NORM);
    }

    /** Per executor run. */
    private static long count(String bucket) {
        ExecutorProfile.Bucket b = ExecutorProfile.totals().buckets().get(bucket);
        return b == null ? 0 : b.count() / Math.max(1, ExecutorProfile.totals().runs());
    }

    private static void check(CamResult r, String golden, String what) {
        MapStack maps = r.layerMaps();
        assertClose(maps.data(), new long[] {maps.count(), maps.height(), maps.width()},
                Npy.read(TestModels.golden("bnkept", golden)), 1e-4, what);
    }
}
