package org.cnnexplain.bench;

import ai.djl.ndarray.NDManager;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ShortProcessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.cnnexplain.atlas.Atlas;
import org.cnnexplain.atlas.AtlasBuilder;
import org.cnnexplain.atlas.AtlasInput;
import org.cnnexplain.explain.Backprop;
import org.cnnexplain.explain.LayerGradients;
import org.cnnexplain.explain.Target;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;

/**
 * The neuron atlas over a large synthetic folder: time per image and the resident set size as the folder
 * streams past (it must stay flat: only K neurons per channel are kept).
 *
 * <p>Usage: {@code .ci/bench AtlasBenchmark [images] [layer] [top]} — default 10,000 images, block4, K = 9,
 * with the importance (one backward pass per image). The images (128 × 128, 16-bit, a few bright ellipses
 * with blobs on noise, seeded) are written once into {@code target/atlas-bench-<images>/}. Prints the RSS
 * every tenth of the folder, the per-image time of the first pass against the floor (the same forward and
 * backward passes alone, {@link LayerGradients} on batches of 8, without heaps or image reading), and the
 * second pass (patches and projections of the kept neurons).
 */
public final class AtlasBenchmark {

    private AtlasBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        String layer = args.length > 1 ? args[1] : "block4";
        int top = args.length > 2 ? Integer.parseInt(args[2]) : 9;
        System.out.printf(Locale.ROOT, "machine: %d cores, java %s, load average %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Files.readString(Path.of("/proc/loadavg")).trim());
        Path dir = Path.of("target", "atlas-bench-" + n);
        long t0 = System.nanoTime();
        int written = generate(dir, n);
        System.out.printf(Locale.ROOT, "folder %s: %d images (%d written now, %.1f s)%n", dir, n, written,
                (System.nanoTime() - t0) / 1e9);
        try (ExplainableModel model = ModelLoader.load(Path.of("test-images/models/demo.onnx"), "cpu")) {
            AtlasInput input = AtlasInput.folder(dir, model, "model", "error");
            double floor = floor(model, input, layer, Math.min(400, n));
            System.gc();
            long rss0 = MemoryBenchmark.rssKb();
            List<String> rssLog = new ArrayList<>();
            long[] phaseStart = {System.nanoTime(), 0};
            long[] firstPassEnd = {0};
            AtlasBuilder.Listener listener = new AtlasBuilder.Listener() {
                @Override
                public void progress(String phase, int done, int total) {
                    if (phase.equals("reading") && (done % Math.max(1, total / 10) == 0 || done == total)) {
                        try {
                            rssLog.add(String.format(Locale.ROOT, "%d:%.0f", done, MemoryBenchmark.rssKb() / 1024.0));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                        if (done == total) {
                            firstPassEnd[0] = System.nanoTime();
                        }
                    }
                }

                @Override
                public boolean cancelled() {
                    return false;
                }
            };
            Atlas atlas = new AtlasBuilder(model, new AtlasBuilder.Options(layer, null, 0, top, true, true,
                    Backprop.Rule.DECONVNET, true)).build(input, listener);
            long end = System.nanoTime();
            long rss1 = MemoryBenchmark.rssKb();
            double first = (firstPassEnd[0] - phaseStart[0]) / 1e6 / n;
            long revisited = atlas.rows().stream().flatMap(r -> r.cells().stream()).map(c -> c.image()).distinct()
                    .count();
            double second = (end - firstPassEnd[0]) / 1e6;
            System.out.printf(Locale.ROOT, "first pass: %.2f ms/image over %d images; floor (forward+backward, batch 8,"
                    + " no reading): %.2f ms/image; ratio %.2f%n", first, n, floor, first / floor);
            System.out.printf(Locale.ROOT, "second pass: %.1f s for %d images revisited (%d channels x top %d),"
                    + " %.1f ms per revisited image%n", second / 1000, revisited, atlas.rows().size(), top,
                    second / Math.max(1, revisited));
            System.out.printf(Locale.ROOT, "total: %.1f s = %.2f ms/image%n", (end - phaseStart[0]) / 1e9,
                    (end - phaseStart[0]) / 1e6 / n);
            System.out.printf(Locale.ROOT, "RSS (MB) before %.0f, after %.0f; during the first pass (images:MB) %s%n",
                    rss0 / 1024.0, rss1 / 1024.0, String.join(" ", rssLog));
        }
    }

    /** Per-image time of the forward and backward passes alone over the first {@code count} images. */
    static double floor(ExplainableModel model, AtlasInput input, String layer, int count) {
        List<float[]> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            samples.add(input.load(i).samples().sample(0));
        }
        var l = model.resolveLayer(layer);
        for (int warm = 0; warm < 2; warm++) {
            long t = System.nanoTime();
            for (int i = 0; i + 8 <= count; i += 8) {
                float[] data = new float[8 * samples.get(0).length];
                for (int k = 0; k < 8; k++) {
                    System.arraycopy(samples.get(i + k), 0, data, k * samples.get(0).length, samples.get(0).length);
                }
                try (NDManager run = model.newRun()) {
                    var x = org.cnnexplain.graph.Tensors.of(run, data, new ai.djl.ndarray.types.Shape(8, 1, 128, 128));
                    LayerGradients.compute(model, run, x, l, Target.top1()).activations().toFloatArray();
                }
            }
            if (warm == 1) {
                return (System.nanoTime() - t) / 1e6 / (count / 8 * 8);
            }
        }
        throw new IllegalStateException();
    }

    /** Writes the synthetic images that are missing; returns how many it wrote. */
    static int generate(Path dir, int n) throws Exception {
        Files.createDirectories(dir);
        int written = 0;
        for (int i = 0; i < n; i++) {
            Path f = dir.resolve(String.format(Locale.ROOT, "syn_%05d.tif", i));
            if (Files.exists(f)) {
                continue;
            }
            Random r = new Random(i);
            short[] px = new short[128 * 128];
            int cells = r.nextInt(3);
            double[][] c = new double[cells][];
            for (int k = 0; k < cells; k++) {
                c[k] = new double[] {20 + r.nextDouble() * 88, 20 + r.nextDouble() * 88, 8 + r.nextDouble() * 10,
                        6 + r.nextDouble() * 8, r.nextDouble() * Math.PI, 800 + r.nextDouble() * 2000};
            }
            for (int y = 0; y < 128; y++) {
                for (int x = 0; x < 128; x++) {
                    double v = 200 + 30 * r.nextGaussian();
                    for (double[] e : c) {
                        double dx = x - e[0];
                        double dy = y - e[1];
                        double u = (dx * Math.cos(e[4]) + dy * Math.sin(e[4])) / e[2];
                        double w = (-dx * Math.sin(e[4]) + dy * Math.cos(e[4])) / e[3];
                        v += e[5] / (1 + Math.exp(8 * (u * u + w * w - 1)));
                    }
                    px[y * 128 + x] = (short) Math.max(0, Math.min(65535, Math.round(v)));
                }
            }
            new FileSaver(new ImagePlus("syn", new ShortProcessor(128, 128, px, null))).saveAsTiff(f.toString());
            written++;
        }
        return written;
    }
}
