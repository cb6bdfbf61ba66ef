package org.cnnexplain.bench;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ImageProcessor;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.cnnexplain.image.ImageFolder;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Prediction;
import org.cnnexplain.plugin.CommandInputs;
import org.cnnexplain.plugin.ModelService;
import org.cnnexplain.plugin.RulesCommand;
import org.scijava.Cancelable;
import org.scijava.Context;
import org.scijava.app.StatusService;
import org.scijava.app.event.StatusEvent;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.event.EventHandler;
import org.scijava.event.EventService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

/**
 * Rules over a large generated folder through the Fiji command: the resident set (native memory
 * included) as the pass goes on, which must stay flat because only C pooled floats per image are
 * kept, and the time per image against the floor (reading nothing, one forward pass of a decoded
 * image: {@link Prediction#of}).
 *
 * <p>Usage: {@code nice -n 10 .ci/bench RulesBenchmark [images=10000] [folder]}. The folder
 * (default {@code target/rules-bench-N}) is generated once: the 60 demo images, each copy shifted
 * circularly by a random offset with Poisson-like noise added, as 16-bit TIFFs (32 KB each).
 * Pass: RSS growth from 10 % of the pass to its end below 50 MB.
 */
public final class RulesBenchmark {

    private RulesBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path dir = args.length > 1 ? Path.of(args[1]) : Path.of("target", "rules-bench-" + n);
        System.out.printf(Locale.ROOT, "machine: %d cores, java %s, heap max %d MB%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        generate(dir, n);
        try (Context context = new Context(CommandService.class, ModelService.class, StatusService.class)) {
            ExplainableModel model = context.service(ModelService.class).get(new File("test-images/models/demo.onnx"), "cpu");
            double floorBeforeMs = floor(model);
            Sampler sampler = new Sampler(n);
            context.service(EventService.class).subscribe(sampler);
            CommandInfo info = context.service(CommandService.class).getCommand(RulesCommand.class);
            Map<String, Object> inputs = new HashMap<>();
            inputs.put("folder", dir.toFile());
            inputs.put("model", new File("test-images/models/demo.onnx"));
            inputs.put("layer", "block4");
            inputs.put("device", "cpu");
            inputs.put("output", dir.resolveSibling(dir.getFileName() + "-rules").toFile());
            inputs.put("overwrite", true);
            long start = System.nanoTime();
            Module m = context.service(ModuleService.class).run(info, true,
                    CommandInputs.withDefaults(context, info, inputs)).get();
            double totalS = (System.nanoTime() - start) / 1e9;
            if (((Cancelable) m).isCanceled()) {
                throw new IllegalStateException(((Cancelable) m).getCancelReason());
            }
            double floorMs = Math.min(floorBeforeMs, floor(model));   // the warmer of two measurements, before and after
            System.out.println(((String) m.getOutput("rules")).lines().limit(3).reduce("", (a, b) -> a + b + "\n"));
            System.out.printf(Locale.ROOT, "%d images: %.1f s = %.1f ms per image, reading, pass, tree and 5-fold check"
                    + " included (floor, one forward of a decoded image: %.1f ms before the pass, %.1f ms the lower of"
                    + " before and after; ratio %.2f)%n", n, totalS, 1000 * totalS / n, floorBeforeMs, floorMs,
                    1000 * totalS / n / floorMs);
            System.out.println("RSS (MB) at images done: " + sampler.report());
            double growth = (sampler.rssKb.get(sampler.rssKb.size() - 1) - sampler.rssKb.get(0)) / 1024.0;
            System.out.printf(Locale.ROOT, "RSS growth from 10 %% to the end: %.1f MB (limit 50 MB): %s%n", growth,
                    growth < 50 ? "PASS" : "FAIL");
        }
    }

    /** Median of one forward pass (Prediction.of) of a decoded, normalised demo image, after warm-up. */
    private static double floor(ExplainableModel model) {
        TensorBatch batch = TensorBatch.of(ImagePlusImgs.toFloat(IJ.openImage("test-images/demo/cell_000.tif")), 1,
                Normalization.of("model", model.spec()));
        for (int i = 0; i < 20; i++) {
            Prediction.of(model, batch);
        }
        long[] t = new long[100];
        for (int i = 0; i < t.length; i++) {
            long s = System.nanoTime();
            Prediction.of(model, batch);
            t[i] = System.nanoTime() - s;
        }
        Arrays.sort(t);
        return t[t.length / 2] / 1e6;
    }

    /** Samples the resident set at every tenth of the pass (from the command's progress events). */
    public static final class Sampler {
        private final int total;
        private final List<Integer> done = new ArrayList<>();
        private final List<Long> rssKb = new ArrayList<>();
        private int next;

        Sampler(int total) {
            this.total = total;
            this.next = Math.max(1, total / 10);
        }

        @EventHandler
        public synchronized void onEvent(StatusEvent e) {
            if (e.getProgressValue() >= next) {
                try {
                    done.add(e.getProgressValue());
                    rssKb.add(MemoryBenchmark.rssKb());
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
                next += Math.max(1, total / 10);
            }
        }

        String report() {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < done.size(); i++) {
                parts.add(done.get(i) + ": " + rssKb.get(i) / 1024);
            }
            return String.join(", ", parts);
        }
    }

    /** The folder of {@code n} synthetic images, made once (kept when it already holds n images). */
    private static void generate(Path dir, int n) throws Exception {
        if (Files.isDirectory(dir) && ImageFolder.list(dir).size() == n) {
            return;
        }
        Files.createDirectories(dir);
        List<Path> demo = ImageFolder.list(Path.of("test-images/demo"));
        Random random = new Random(42);
        for (int i = 0; i < n; i++) {
            ImagePlus src = IJ.openImage(demo.get(i % demo.size()).toString());
            ImageProcessor ip = src.getProcessor();
            ImageProcessor out = ip.createProcessor(ip.getWidth(), ip.getHeight());
            int dx = random.nextInt(ip.getWidth());
            int dy = random.nextInt(ip.getHeight());
            for (int y = 0; y < ip.getHeight(); y++) {
                for (int x = 0; x < ip.getWidth(); x++) {
                    double v = ip.getf((x + dx) % ip.getWidth(), (y + dy) % ip.getHeight());
                    out.setf(x, y, (float) Math.max(0, Math.min(65535, v + random.nextGaussian() * Math.sqrt(v + 1))));
                }
            }
            IJ.saveAsTiff(new ImagePlus("s", out), dir.resolve(String.format(Locale.ROOT, "s%05d.tif", i)).toString());
        }
    }
}
