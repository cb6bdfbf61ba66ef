package org.cnnexplain.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the package reader makes of the test packages (no engine needed). */
class BioImageIoPackageTest {

    static final Path DIR = Path.of("src/test/resources/bioimageio");

    @Test
    void exportedDemoPackage() {
        BioImageIoPackage p = BioImageIoPackage.open(DIR.resolve("demo.bioimageio"));
        assertEquals("onnx", p.weightsFormat());
        assertTrue(p.formatVersion().startsWith("0.5"));
        assertEquals(List.of("interphase", "mitotic", "speckled", "empty"), p.spec().classes());
        assertEquals("bcyx", p.spec().input().axes());
        assertArrayEquals(new long[] {1, 1, 128, 128}, p.spec().input().shape());
        assertEquals(List.of("ensure_dtype", "scale_range"), ops(p.spec().preprocessing()));
        assertNull(p.spec().activation());
        assertEquals(ModelSpec.Activation.SOFTMAX, p.spec().activationFor(4));
    }

    @Test
    void handWritten04Package() {
        BioImageIoPackage p = BioImageIoPackage.open(DIR.resolve("demo-v04/rdf.yaml"));
        assertEquals("torchscript", p.weightsFormat());   // written as the old name pytorch_script
        assertEquals(List.of("interphase", "mitotic", "speckled", "empty"), p.spec().classes());   // labels.txt
        ModelSpec.Processing range = p.spec().preprocessing().get(0);
        assertEquals("scale_range", range.op());
        assertEquals(List.of("y", "x"), range.kwargs().get("axes"));   // 0.4's "yx"
        assertEquals(new BioImageIoPackage.Tolerance(1e-3, 1e-4, 100), p.tolerance());
    }

    @Test
    void zooStylePackageWithMinStepSizes() {
        BioImageIoPackage p = BioImageIoPackage.open(DIR.resolve("nuclei-like"));
        assertEquals("onnx", p.weightsFormat());   // preferred over torchscript and the URL state dict
        ModelSpec.Input in = p.spec().input();
        assertEquals("bcyx", in.axes());            // the last space axis has no id: x
        assertArrayEquals(new long[] {1, 1, -1, -1}, in.shape());   // any size of min + k * step
        assertArrayEquals(new long[] {1, 1, 16, 16}, in.min());
        assertArrayEquals(new long[] {0, 0, 8, 8}, in.step());
        assertEquals(List.of("foreground"), p.spec().classes());
        assertEquals("sigmoid", p.spec().activation());
        assertEquals(List.of("ensure_dtype", "zero_mean_unit_variance", "ensure_dtype"), ops(p.spec().preprocessing()));
        assertEquals(List.of("sigmoid", "ensure_dtype"), ops(p.postprocessing()));
        assertTrue(p.describe().contains("score activation sigmoid (from its postprocessing)"), p.describe());
        assertTrue(p.describe().contains("each image at its own size"), p.describe());
    }

    /** A {min, step} package takes an image that is not its test tensor's size, padded to a step and cropped back. */
    @Test
    void zooStylePackageTakesOtherSizes() {
        try (ExplainableModel m = ModelLoader.load(BioImageIoPackage.open(DIR.resolve("nuclei-like")), "cpu");
             ai.djl.ndarray.NDManager run = m.newRun()) {
            assertTrue(m.takesAnySize());
            ai.djl.ndarray.NDArray x = org.cnnexplain.graph.Tensors.of(run, new float[1 * 1 * 37 * 61],
                    new ai.djl.ndarray.types.Shape(1, 1, 37, 61));
            long[] out = m.logits(run, x).getShape().getShape();
            assertArrayEquals(new long[] {37, 61}, java.util.Arrays.copyOfRange(out, out.length - 2, out.length));
        }
    }

    @Test
    void a04PackageWithMinStepShapeAndFixedZeroMeanUnitVariance(@TempDir Path tmp) throws Exception {
        for (String f : List.of("weights.pt", "test_input.npy", "test_output.npy", "labels.txt")) {
            Files.copy(DIR.resolve("demo-v04").resolve(f), tmp.resolve(f));
        }
        String rdf = Files.readString(DIR.resolve("demo-v04/rdf.yaml"))
                .replace("shape: [1, 1, 128, 128]", "shape: {min: [1, 1, 64, 64], step: [0, 0, 16, 16]}")
                .replace("      - name: scale_range\n", "      - name: zero_mean_unit_variance\n"
                        + "        kwargs: {mode: fixed, mean: 100.5, std: 12.0, axes: yx}\n      - name: scale_range\n");
        Files.writeString(tmp.resolve("rdf.yaml"), rdf);
        BioImageIoPackage p = BioImageIoPackage.open(tmp);
        assertArrayEquals(new long[] {1, 1, -1, -1}, p.spec().input().shape());   // any size of min + k * step
        assertArrayEquals(new long[] {1, 1, 64, 64}, p.spec().input().min());
        assertArrayEquals(new long[] {0, 0, 16, 16}, p.spec().input().step());
        ModelSpec.Processing fixed = p.spec().preprocessing().get(0);
        assertEquals("fixed_zero_mean_unit_variance", fixed.op());   // 0.4's mode fixed
        assertEquals(100.5, fixed.kwargs().get("mean"));
    }

    /** The output's halo: 0.5 on each space axis object, 0.4 as a list in the axes' order; none on a classifier. */
    @Test
    void theOutputsHaloIsRead() {
        assertEquals(8, BioImageIoPackage.open(DIR.resolve("nuclei-like")).spec().halo());
        BioImageIoPackage v04 = BioImageIoPackage.open(DIR.resolve("nuclei-like-v04"));
        assertTrue(v04.formatVersion().startsWith("0.4"));
        assertEquals(12, v04.spec().halo());
        assertArrayEquals(new long[] {0, 0, 8, 8}, v04.spec().input().step());
        assertNull(BioImageIoPackage.open(DIR.resolve("demo-v04")).spec().halo());
        assertNull(BioImageIoPackage.open(DIR.resolve("demo.bioimageio")).spec().halo());
    }

    @Test
    void a04HaloOfTheWrongLengthIsOneLine(@TempDir Path tmp) throws Exception {
        for (String f : List.of("weights.onnx", "test_input.npy", "test_output.npy", "README.md")) {
            Files.copy(DIR.resolve("nuclei-like-v04").resolve(f), tmp.resolve(f));
        }
        Files.writeString(tmp.resolve("rdf.yaml"), Files.readString(DIR.resolve("nuclei-like-v04/rdf.yaml"))
                .replace("halo: [0, 0, 12, 12]", "halo: [12, 12]"));
        org.cnnexplain.UserError e = org.junit.jupiter.api.Assertions.assertThrows(org.cnnexplain.UserError.class,
                () -> BioImageIoPackage.open(tmp));
        assertTrue(e.getMessage().contains("halo [12, 12] has 2 values for the 4 axes 'bcyx'"), e.getMessage());
    }

    @Test
    void packagesAreFoldersZipsAndYamlFiles() {
        assertTrue(BioImageIoPackage.isPackage(DIR.resolve("nuclei-like")));
        assertTrue(BioImageIoPackage.isPackage(Path.of("x.zip")));
        assertTrue(BioImageIoPackage.isPackage(Path.of("rdf.yaml")));
        assertTrue(!BioImageIoPackage.isPackage(Path.of("m.onnx")));
    }

    static List<String> ops(List<ModelSpec.Processing> steps) {
        return steps.stream().map(ModelSpec.Processing::op).toList();
    }
}
