package org.cnnexplain.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutated model files and malformed images: every one ends in a result or a
 * one-line user error (exit 0, 1 or 2), within a time bound, never an internal
 * error, a stack trace or a crash.
 */
class FuzzTest {

    /** Under the strict memory mode (MemoryCheck; a collection every 8 nodes keeps the time bound). */
    @org.junit.jupiter.api.BeforeAll
    static void strictMemoryMode() {
        org.cnnexplain.graph.MemoryCheck.setGcEvery(8);
    }

    @org.junit.jupiter.api.AfterAll
    static void normalMemoryMode() {
        org.cnnexplain.graph.MemoryCheck.setEnabled(false);
    }

    @TempDir
    Path tmp;

    static final long SECONDS_PER_CASE = 30;

    /** Runs the CLI in a worker thread so that a hang fails the test instead of blocking it. */
    static CliTest.Result bounded(ExecutorService pool, String... args) throws Exception {
        Future<CliTest.Result> f = pool.submit(() -> CliTest.run(args));
        return f.get(SECONDS_PER_CASE, TimeUnit.SECONDS);
    }

    static void assertHandled(CliTest.Result r, String what) {
        assertTrue(r.code() == 0 || r.code() == 1 || r.code() == 2, what + ": exit " + r.code() + "\n" + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("internal error"), what + ": " + r.err());
    }

    @Test
    void mutatedModelFiles() throws Exception {
        Random random = new Random(2026);
        byte[][] seeds = {Files.readAllBytes(TestModels.DEMO_MODEL),
                Files.readAllBytes(TestModels.parityModel("resnet18s", 13)),
                Files.readAllBytes(TestModels.parityModel("shufflenets", 11))};
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < 210; i++) {
                byte[] model = mutate(seeds[i % seeds.length], random);
                Path file = Files.write(tmp.resolve("m" + i + ".onnx"), model);
                assertHandled(bounded(pool, "layers", "--model", file.toString()), "model mutation " + i);
                Files.delete(file);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** TorchScript files are zip archives read by libtorch: a corrupted one must not take the JVM down. */
    @Test
    void mutatedTorchScriptFiles() throws Exception {
        Random random = new Random(11);
        byte[] seed = Files.readAllBytes(TestModels.DEMO_MODEL.resolveSibling("demo.pt"));
        Files.copy(TestModels.DEMO_MODEL.resolveSibling("demo.json"), tmp.resolve("t.json"));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < 60; i++) {
                Path file = Files.write(tmp.resolve("t.pt"), mutate(seed, random));
                assertHandled(bounded(pool, "layers", "--model", file.toString()), "TorchScript mutation " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** One of: flip bytes, truncate, cut a slice out, duplicate a slice, or overwrite a run with noise. */
    static byte[] mutate(byte[] seed, Random random) {
        byte[] b = seed.clone();
        switch (random.nextInt(5)) {
            case 0 -> {
                for (int k = 0; k < 1 + random.nextInt(20); k++) {
                    b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length));
            case 2 -> {
                int from = random.nextInt(b.length);
                int len = Math.min(b.length - from, 1 + random.nextInt(200));
                byte[] c = new byte[b.length - len];
                System.arraycopy(b, 0, c, 0, from);
                System.arraycopy(b, from + len, c, from, b.length - from - len);
                b = c;
            }
            case 3 -> {
                int from = random.nextInt(b.length);
                int len = Math.min(b.length - from, 1 + random.nextInt(200));
                byte[] c = new byte[b.length + len];
                System.arraycopy(b, 0, c, 0, from + len);
                System.arraycopy(b, from, c, from + len, b.length - from);
                b = c;
            }
            default -> {
                int from = random.nextInt(b.length);
                for (int k = from; k < Math.min(b.length, from + 1 + random.nextInt(64)); k++) {
                    b[k] = (byte) random.nextInt(256);
                }
            }
        }
        return b;
    }

    @Test
    void malformedImages() throws Exception {
        Random random = new Random(7);
        byte[] tiff = Files.readAllBytes(TestModels.firstDemoImage("mitotic"));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < 50; i++) {
                Path file = tmp.resolve("img" + i + ".tif");
                switch (i % 5) {
                    case 0 -> Files.write(file, mutate(tiff, random));
                    case 1 -> Files.write(file, java.util.Arrays.copyOf(tiff, random.nextInt(tiff.length)));
                    case 2 -> {
                        byte[] noise = new byte[random.nextInt(4096)];
                        random.nextBytes(noise);
                        Files.write(file, noise);
                    }
                    case 3 -> {
                        int w = 1 + random.nextInt(3);
                        int h = 1 + random.nextInt(3);
                        IJ.saveAsTiff(IJ.createImage("tiny", "32-bit ramp", w, h, 1), file.toString());
                    }
                    default -> {
                        ImagePlus nan = IJ.createImage("nan", "32-bit ramp", 128, 128, 1);
                        nan.getProcessor().putPixelValue(random.nextInt(128), random.nextInt(128),
                                random.nextBoolean() ? Double.NaN : Double.POSITIVE_INFINITY);
                        IJ.saveAsTiff(nan, file.toString());
                    }
                }
                assertHandled(bounded(pool, "predict", "--model", TestModels.DEMO_MODEL.toString(), "--input",
                        file.toString()), "image case " + i);
                assertHandled(bounded(pool, "gradcam", "--model", TestModels.DEMO_MODEL.toString(), "--input",
                        file.toString(), "--output", tmp.resolve("out" + i).toString(), "--fit", "resize"),
                        "image case " + i + " (gradcam)");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
