package org.cnnexplain.bench;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import java.io.File;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Future;
import org.cnnexplain.plugin.CommandInputs;
import org.cnnexplain.plugin.GradCamCommand;
import org.cnnexplain.plugin.ModelService;
import org.scijava.Cancelable;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleService;

/**
 * Cancelling runs mid-way: Grad-CAM on a 40-plane stack through the Fiji command,
 * cancelled from another thread after a varying delay (as the user presses Esc or
 * Cancel), many times in one JVM. Prints the process growth (resident set, native
 * memory included) after warm-up, and checks that every cancelled run left no result
 * and no overlay on the image.
 *
 * <p>Usage: {@code .ci/bench CancelBenchmark [runs] [warmup]}. Pass: growth below 50 MB.
 */
public final class CancelBenchmark {

    private CancelBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        ImagePlus one = IJ.openImage("test-images/demo/cell_000.tif");
        ImageStack stack = new ImageStack(one.getWidth(), one.getHeight());
        for (int z = 0; z < 40; z++) {
            stack.addSlice(one.getProcessor().duplicate());
        }
        try (Context context = new Context(CommandService.class, ModelService.class)) {
            CommandInfo info = context.service(CommandService.class).getCommand(GradCamCommand.class);
            ModuleService modules = context.service(ModuleService.class);
            int cancelled = 0;
            long before = 0;
            for (int i = 0; i < warmup + runs; i++) {
                if (i == warmup) {
                    System.gc();
                    before = MemoryBenchmark.rssKb();
                }
                ImagePlus image = new ImagePlus("stack", stack);
                Map<String, Object> inputs = new HashMap<>();
                inputs.put("image", image);
                inputs.put("model", new File("test-images/models/demo.onnx"));
                inputs.put("device", "cpu");
                Module module = modules.createModule(info);
                Future<Module> f = modules.run(module, true, CommandInputs.withDefaults(context, info, inputs));
                Thread.sleep(5 + (i * 7) % 60);   // somewhere in the first planes
                ((Cancelable) module).cancel("cancelled by the benchmark");
                f.get();
                if (module.getOutput("result") != null) {
                    continue;   // finished before the cancel arrived
                }
                cancelled += i >= warmup ? 1 : 0;
                if (image.getOverlay() != null) {
                    throw new IllegalStateException("a cancelled run left an overlay on the image");
                }
            }
            System.gc();
            long after = MemoryBenchmark.rssKb();
            double growth = (after - before) / 1024.0;
            System.out.printf(Locale.ROOT, "cancel: %d runs after %d warm-up, %d cancelled 5-65 ms into a 40-plane"
                    + " stack; none left a result or overlay%n", runs, warmup, cancelled);
            System.out.printf(Locale.ROOT, "RSS: %.1f MB -> %.1f MB, growth %.1f MB (limit 50 MB): %s%n",
                    before / 1024.0, after / 1024.0, growth, growth < 50 ? "PASS" : "FAIL");
        }
    }
}
