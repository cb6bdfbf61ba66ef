package org.cnnexplain.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.cnnexplain.UserError;
import org.cnnexplain.model.BioImageIoPackage;
import org.cnnexplain.model.ModelSpec;
import org.cnnexplain.model.NpyArray;
import org.junit.jupiter.api.Test;

/** Every bioimage.io processing op against NumPy (src/test/python/make_bioimageio_packages.py). */
class PreprocessingTest {

    static final Path DIR = Path.of("src/test/resources/bioimageio/preprocessing");

    record Case(String op, Map<String, Object> kwargs, String input, String expected) {
    }

    @Test
    void everyOpMatchesNumPy() throws Exception {
        List<Case> cases = new Gson().fromJson(Files.readString(DIR.resolve("cases.json")),
                new TypeToken<List<Case>>() { }.getType());
        assertEquals(16, cases.size());
        for (Case c : cases) {
            NpyArray in = NpyArray.read(DIR.resolve(c.input()));
            NpyArray want = NpyArray.read(DIR.resolve(c.expected()));
            float[] x = in.data().clone();
            int channels = (int) in.shape()[0];
            Preprocessing.of(List.of(new ModelSpec.Processing(c.op(), c.kwargs()))).apply(x, 0, channels,
                    x.length / channels);
            double worst = 0;
            for (int i = 0; i < x.length; i++) {
                double e = want.data()[i];
                worst = Math.max(worst, Math.abs(x[i] - e) / Math.max(1, Math.abs(e)));
            }
            assertTrue(worst < 2e-6, c.op() + " " + c.kwargs() + ": relative error " + worst);
        }
    }

    @Test
    void stepsRunInOrderOnEachSampleOfABatch() {
        float[] x = {0, 1, 2, 3, 10, 20, 30, 40};   // two samples, one channel of four values
        Preprocessing p = Preprocessing.of(List.of(new ModelSpec.Processing("scale_range", Map.of()),
                new ModelSpec.Processing("scale_linear", Map.of("gain", 2.0))));
        PackageCheck.preprocess(p, x, new long[] {2, 1, 2, 2});
        float[] want = {0, 2f / 3, 4f / 3, 2, 0, 2f / 3, 4f / 3, 2};
        for (int i = 0; i < x.length; i++) {
            assertEquals(want[i], x[i], 1e-5, "element " + i);
        }
    }

    @Test
    void everyOpThePackageReaderAcceptsIsImplemented() {
        Map<String, Map<String, Object>> kwargs = Map.of("binarize", Map.of("threshold", 0.5),
                "fixed_zero_mean_unit_variance", Map.of("mean", 0.0, "std", 1.0), "ensure_dtype", Map.of("dtype", "uint8"));
        for (String op : BioImageIoPackage.OPS) {
            float[] x = {1, 2, 3, 4};
            Preprocessing p = Preprocessing.of(List.of(new ModelSpec.Processing(op, kwargs.getOrDefault(op, Map.of()))));
            if (op.equals("scale_mean_variance")) {   // needs a second tensor: a clear refusal, not a wrong answer
                UserError e = assertThrows(UserError.class, () -> p.apply(x, 0, 1, 4));
                assertTrue(e.getMessage().contains("scale_mean_variance"), e.getMessage());
            } else {
                p.apply(x, 0, 1, 4);
            }
        }
    }

    @Test
    void listsMustHaveOneValuePerChannel() {
        Preprocessing p = Preprocessing.of(List.of(new ModelSpec.Processing("scale_linear",
                Map.of("gain", List.of(1.0, 2.0, 3.0)))));
        UserError e = assertThrows(UserError.class, () -> p.apply(new float[8], 0, 2, 4));
        assertTrue(e.getMessage().contains("3 values for 2 channel"), e.getMessage());
    }
}
