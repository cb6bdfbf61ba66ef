package org.cnnexplain.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.sun.jna.Platform;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.testutil.Compare;
import org.cnnexplain.testutil.Npy;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;

/**
 * Convolutions run on libtorch's own kernels, not oneDNN's: the proof is that every oneDNN kernel
 * may be allowed ({@code -Dcnnexplain.onednn.isa=ALL}, which on this project's AMD test machines
 * gives a U-Net NaN logits through oneDNN) and the models still match PyTorch.
 */
class NativeConvolutionsTest {

    private static final List<String> MODELS = List.of("unet", "resnet18s", "densenets", "mobilenetv2s");

    @Test
    void switchedOnWhenTheEngineStarts() {
        assumeTrue(Platform.isLinux() && Platform.isIntel() && Platform.is64Bit(), "the symbols are looked up on Linux x86-64");
        DeviceChoice.engine();
        assertTrue(NativeConvolutions.apply(), "libtorch's mkldnn switch could not be turned off");
    }

    @Test
    void rightWithEveryOneDnnKernelAllowed() throws Exception {
        assumeTrue(Platform.isLinux() && Platform.isIntel() && Platform.is64Bit(), "the symbols are looked up on Linux x86-64");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Dai.djl.offline=true", "-Dcnnexplain.onednn.isa=ALL", "-Xss8m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-cp", System.getProperty("java.class.path"),
                NativeConvolutionsTest.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int checked = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null) {
                String[] f = line.split("\t");
                double err = Double.parseDouble(f[1]);
                assertTrue(err <= 1e-4, f[0] + " with every oneDNN kernel allowed: relative error " + err + " vs PyTorch");
                checked++;
            }
        }
        assertEquals(0, p.waitFor(), "the child JVM failed");
        assertEquals(MODELS.size(), checked);
    }

    /** In the child JVM: each model's logits against PyTorch's (two samples, so a batch, sample by sample). */
    public static void main(String[] args) throws Exception {
        for (String name : MODELS) {
            Npy input = Npy.read(TestModels.golden(name, "input.npy"));
            Npy logits = Npy.read(TestModels.golden(name, "logits.npy"));
            try (ExplainableModel model = ModelLoader.load(TestModels.parityModel(name, 17), "cpu");
                    NDManager run = model.newRun()) {
                NDArray x = Tensors.of(run, input.data(), new Shape(input.shape()));
                float[] y = model.forward(run, x, List.of()).logits().toFloatArray();
                System.out.printf(Locale.ROOT, "%s\t%g%n", name, Compare.relativeError(y, logits.data()));
            }
        }
    }
}
