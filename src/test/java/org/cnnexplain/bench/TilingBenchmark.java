package org.cnnexplain.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ij.IJ;
import ij.ImagePlus;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.explain.Explainer;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.plugin.CommandInputs;
import org.cnnexplain.plugin.GradCamCommand;
import org.cnnexplain.plugin.ModelService;
import org.cnnexplain.tile.TileGrid;
import org.cnnexplain.tile.TiledRun;
import org.cnnexplain.tile.TiledSegCam;
import org.scijava.Context;
import org.scijava.app.StatusService;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

/**
 * What {@code fit=tile} costs, with the demo classifier and Grad-CAM (layer block4, a named target:
 * one pass over the tiles).
 *
 * <ul>
 *   <li>{@code speed [repeats] [size]}: time per tile over the generated 1024 x 1024 field (or its top-left
 *       size x size; 225 tiles at 1024 in
 *       batches of {@link TiledRun#BATCH}) against the floor, the per-image time of a plain batch of as
 *       many demo images through the same batched Grad-CAM ({@link Explainer#runEach}); pass: ≤ 1.2×.
 *       Also printed: the per-image time one image at a time, and top1 (two passes: vote, then explain).</li>
 *   <li>{@code memory [size] [stride]}: a size x size 16-bit image (the field repeated) explained by the
 *       Fiji Grad-CAM command in fit=tile, with its overlay and class map; prints the time and the
 *       process's peak resident set (VmHWM, the pre-touched 1 GB heap of {@code .ci/bench} included);
 *       pass: under 3 GB. The stride (default 128) changes the time, not the memory.</li>
 *   <li>{@code segcam [repeats] [size]}: Seg-Grad-CAM over tiles ({@link TiledSegCam}) of a U-Net that takes
 *       any size ({@code unet_dyn_op13}, layer dec2, top1) on a size x size field, cut into its default
 *       256-px tiles with its halo, against the floor: the same Seg-Grad-CAM on the whole field in one run.
 *       The tiles cost more (the halos overlap, and a first forward-only pass finds the class and the region);
 *       also printed: the largest difference of the two maps (relative to their maximum).</li>
 * </ul>
 * Run niced: {@code nice -n 10 .ci/bench TilingBenchmark speed 5}, {@code ... memory 8192 128},
 * {@code ... segcam 3 768}.
 */
public final class TilingBenchmark {

    private static final Path MODEL = Path.of("test-images/models/demo.onnx");
    private static final Path FIELD = Path.of("test-images/field/field.tif");
    /** Thread CPU time: what the work cost, which a loaded machine disturbs far less than the wall clock. */
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private TilingBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "speed";
        System.out.printf(Locale.ROOT, "machine: %d cores, java %s, load %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), Files.readString(Path.of("/proc/loadavg")).trim());
        if (what.equals("segcam")) {
            segcam(args.length > 1 ? Integer.parseInt(args[1]) : 3, args.length > 2 ? Integer.parseInt(args[2]) : 768);
        } else if (what.equals("memory")) {
            memory(args.length > 1 ? Integer.parseInt(args[1]) : 8192, args.length > 2 ? Integer.parseInt(args[2]) : 128);
        } else {
            speed(args.length > 1 ? Integer.parseInt(args[1]) : 5, args.length > 2 ? Integer.parseInt(args[2]) : 1024);
        }
    }

    private static ExplainRequest request(String target) {
        ExplainRequest d = ExplainRequest.defaults(ExplainRequest.Method.GRADCAM);
        return new ExplainRequest(d.method(), "block4", target, "logit", "gradcam", false, d.rule(), null, 0,
                d.signal(), "none", d.batch());
    }

    static void speed(int repeats, int size) throws Exception {
        try (ExplainableModel m = ModelLoader.load(MODEL, "cpu")) {
            Normalization norm = Normalization.of("model", m.spec());
            ImagePlus field = IJ.openImage(FIELD.toString());
            field.setRoi(0, 0, size, size);
            field = field.crop();
            TiledRun.Field f = new TiledRun.Field((float[]) field.getProcessor().convertToFloatProcessor().getPixels(),
                    1, field.getWidth(), field.getHeight(), norm);
            TileGrid grid = TiledRun.grid(m, field.getWidth(), field.getHeight(), 0);
            int n = TiledRun.BATCH;
            float[] batch = new float[n * 128 * 128];
            for (int i = 0; i < n; i++) {
                ImagePlus imp = IJ.openImage(String.format(Locale.ROOT, "test-images/demo/cell_%03d.tif", i));
                float[] one = TensorBatch.of(ImagePlusImgs.toFloat(imp), 1, norm).sample(0);
                System.arraycopy(one, 0, batch, i * one.length, one.length);
            }
            ExplainRequest named = request("mitotic");
            ExplainRequest top1 = request("top1");
            TiledRun.explain(m, f, grid, named, TiledRun.Listener.NONE);   // warm-up
            long[] tiled = new long[repeats];
            long[] voted = new long[repeats];
            long[] plain = new long[repeats];
            long[] single = new long[repeats];
            long[] tiledCpu = new long[repeats];
            long[] plainCpu = new long[repeats];
            long[] cutCpu = new long[repeats];
            long[] singleCpu = new long[repeats];
            int batches = (grid.tiles() + n - 1) / n;
            for (int r = 0; r < repeats; r++) {
                long c = CPU.getCurrentThreadCpuTime();
                long t = System.nanoTime();
                TiledRun.explain(m, f, grid, named, TiledRun.Listener.NONE);
                tiled[r] = (System.nanoTime() - t) / grid.tiles();
                tiledCpu[r] = (CPU.getCurrentThreadCpuTime() - c) / grid.tiles();
                c = CPU.getCurrentThreadCpuTime();
                cutAll(f, grid);
                cutCpu[r] = (CPU.getCurrentThreadCpuTime() - c) / grid.tiles();
                t = System.nanoTime();
                TiledRun.explain(m, f, grid, top1, TiledRun.Listener.NONE);
                voted[r] = (System.nanoTime() - t) / grid.tiles();
                c = CPU.getCurrentThreadCpuTime();
                t = System.nanoTime();
                for (int b = 0; b < batches; b++) {
                    try (NDManager run = m.newRun()) {
                        NDArray x = Tensors.of(run, batch, new Shape(n, 1, 128, 128));
                        Explainer.runEach(m, run, x, named);
                    }
                }
                plain[r] = (System.nanoTime() - t) / ((long) batches * n);
                plainCpu[r] = (CPU.getCurrentThreadCpuTime() - c) / ((long) batches * n);
                c = CPU.getCurrentThreadCpuTime();
                t = System.nanoTime();
                for (int b = 0; b < batches; b++) {
                    for (int i = 0; i < n; i++) {
                        try (NDManager run = m.newRun()) {
                            NDArray x = Tensors.of(run, Arrays.copyOfRange(batch, i * 128 * 128, (i + 1) * 128 * 128),
                                    new Shape(1, 1, 128, 128));
                            Explainer.run(m, run, x, named);
                        }
                    }
                }
                single[r] = (System.nanoTime() - t) / ((long) batches * n);
                singleCpu[r] = (CPU.getCurrentThreadCpuTime() - c) / ((long) batches * n);
            }
            double perTile = median(tiled) / 1e6;
            double floor = median(plain) / 1e6;
            System.out.printf(Locale.ROOT, "Grad-CAM, %s over %d x %d, batch %d, %d repeats (medians):%n",
                    grid.describe(), field.getWidth(), field.getHeight(), n, repeats);
            System.out.printf(Locale.ROOT, "  tiled, named target:   %.2f ms per tile%n", perTile);
            System.out.printf(Locale.ROOT, "  tiled, top1 (2 passes): %.2f ms per tile (%.2fx the floor)%n",
                    median(voted) / 1e6, median(voted) / 1e6 / floor);
            System.out.printf(Locale.ROOT, "  plain batch of %d:      %.2f ms per image (the floor)%n", n, floor);
            System.out.printf(Locale.ROOT, "  plain, one at a time:  %.2f ms per image%n", median(single) / 1e6);
            System.out.printf(Locale.ROOT, "  ratio tiled / floor: %.2f (target <= 1.2): %s%n", perTile / floor,
                    perTile / floor <= 1.2 ? "PASS" : "FAIL");
            double cpuTile = median(tiledCpu) / 1e6;
            double cpuFloor = median(plainCpu) / 1e6;
            System.out.printf(Locale.ROOT, "  thread CPU: tiled %.2f ms per tile (cutting and normalising %.2f), floor %.2f, one at a time %.2f;"
                    + " ratio %.2f (target <= 1.2): %s%n", cpuTile, median(cutCpu) / 1e6, cpuFloor,
                    median(singleCpu) / 1e6, cpuTile / cpuFloor,
                    cpuTile / cpuFloor <= 1.2 ? "PASS" : "FAIL");
        }
    }

    static void segcam(int repeats, int size) {
        try (ExplainableModel m = ModelLoader.load(Path.of("src/test/resources/models/unet_dyn_op13.onnx"), "cpu")) {
            java.util.Random random = new java.util.Random(11);
            float[] px = new float[size * size];
            for (int i = 0; i < px.length; i++) {
                px[i] = (float) random.nextGaussian();
            }
            TiledRun.Field f = new TiledRun.Field(px, 1, size, size, null);
            ExplainRequest d = ExplainRequest.defaults(ExplainRequest.Method.GRADCAM);
            ExplainRequest r = new ExplainRequest(d.method(), "dec2", "top1", "logit", "gradcam", false, d.rule(), null,
                    0, d.signal(), "none", d.batch());
            long[] tiled = new long[repeats];
            long[] whole = new long[repeats];
            float[] a = null;
            float[] b = null;
            String how = "";
            for (int k = -1; k < repeats; k++) {   // k = -1: warm-up
                long t = System.nanoTime();
                TiledRun.Result res = TiledSegCam.explain(m, f, r, TiledRun.Listener.NONE);
                long t1 = System.nanoTime();
                try (NDManager run = m.newRun()) {
                    b = Explainer.run(m, run, Tensors.of(run, px, new Shape(1, 1, size, size)), r).get(0).layerMaps()
                            .data();
                }
                long t2 = System.nanoTime();
                a = res.maps().get(0).layerMaps().data();
                how = res.how();
                if (k >= 0) {
                    tiled[k] = t1 - t;
                    whole[k] = t2 - t1;
                }
            }
            float max = 0;
            float worst = 0;
            for (int i = 0; i < b.length; i++) {
                max = Math.max(max, Math.abs(b[i]));
                worst = Math.max(worst, Math.abs(a[i] - b[i]));
            }
            System.out.printf(Locale.ROOT, "Seg-Grad-CAM of a %d x %d field, %d repeats (medians): %s%n", size, size,
                    repeats, how);
            System.out.printf(Locale.ROOT, "  tiled: %.0f ms; whole field in one run (the floor): %.0f ms; ratio %.2f%n",
                    median(tiled) / 1e6, median(whole) / 1e6, median(tiled) / (double) median(whole));
            int differ = 0;
            for (int i = 0; i < b.length; i++) {
                differ += a[i] != b[i] ? 1 : 0;
            }
            System.out.printf(Locale.ROOT, "  max |tiled - whole| / max = %.2e (max %.3g; %d of %d positions differ at all)%n",
                    worst / max, max, differ, b.length);
        }
    }

    static void memory(int size, int stride) throws Exception {
        ImageProcessor tile = IJ.openImage(FIELD.toString()).getProcessor();
        short[] px = new short[size * size];
        short[] src = (short[]) tile.getPixels();
        int tw = tile.getWidth();
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                px[y * size + x] = src[(y % tw) * tw + x % tw];
            }
        }
        ImagePlus image = new ImagePlus("field " + size, new ShortProcessor(size, size, px, null));
        px = null;
        System.out.printf(Locale.ROOT, "before: RSS %.0f MB%n", kb("VmRSS") / 1024.0);
        Context context = new Context(CommandService.class, ModelService.class, StatusService.class);
        try {
            CommandInfo info = context.service(CommandService.class).getCommand(GradCamCommand.class);
            Map<String, Object> in = new HashMap<>();
            in.put("image", image);
            in.put("model", new File(MODEL.toString()));
            in.put("device", "cpu");
            in.put("layer", "block4");
            in.put("target", "mitotic");
            in.put("fit", "tile");
            in.put("stride", stride);
            long t = System.nanoTime();
            Module module = context.service(ModuleService.class)
                    .run(info, true, CommandInputs.withDefaults(context, info, in)).get();
            double seconds = (System.nanoTime() - t) / 1e9;
            ImagePlus result = (ImagePlus) module.getOutput("result");
            ImagePlus classmap = (ImagePlus) module.getOutput("classmap");
            TileGrid grid = TileGrid.of(size, size, 128, 128, stride, stride);
            System.out.printf(Locale.ROOT, "%d x %d 16-bit, Grad-CAM fit=tile, %s: %.1f s (%.2f ms per tile)%n",
                    size, size, grid.describe(), seconds, seconds * 1e3 / grid.tiles());
            System.out.printf(Locale.ROOT, "  result %d x %d, class map %d slices, overlay %s%n", result.getWidth(),
                    result.getHeight(), classmap.getStackSize(), image.getOverlay() == null ? "none" : "on the image");
            double peakMb = kb("VmHWM") / 1024.0;
            System.out.printf(Locale.ROOT, "  peak RSS (VmHWM) %.0f MB, now %.0f MB (target < 3072 MB): %s%n", peakMb,
                    kb("VmRSS") / 1024.0, peakMb < 3072 ? "PASS" : "FAIL");
        } finally {
            context.dispose();
        }
    }

    /** What the tiled run does to every tile before the model sees it: cut it out and normalise it. */
    private static void cutAll(TiledRun.Field f, TileGrid g) {
        float[] tile = new float[f.channels() * g.tileW() * g.tileH()];
        for (int t = 0; t < g.tiles(); t++) {
            g.cut(f.pixels(), f.channels(), t, tile, 0);
            f.perTile().apply(tile, 0, f.channels(), g.tileW() * g.tileH());
        }
    }

    private static double median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static long kb(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
