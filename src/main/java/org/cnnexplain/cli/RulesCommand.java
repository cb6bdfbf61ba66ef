package org.cnnexplain.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.scijava.app.event.StatusEvent;
import org.scijava.event.EventHandler;
import org.scijava.module.Module;

/**
 * {@code rules --model M --input DIR --layer L --output OUT [--depth 3] [--min-leaf 5] [--pool max|mean]
 * [--folds 5] [--seed 0] [--alpha 0] [--atlas DIR]}: runs the Fiji command Rules over the folder, prints
 * the rules on stdout and writes {@code rules.txt}, {@code rules.json} and {@code rules.csv} into OUT.
 * Progress on stderr as for every folder run; an unreadable image is reported and skipped (exit code 1).
 */
final class RulesCommand {

    private RulesCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        Args args = new Args("rules", argv, Set.of("model", "input", "layer", "output", "depth", "min-leaf", "pool",
                "folds", "seed", "alpha", "atlas", "normalize", "device", "fit"), Set.of("quiet", "overwrite"));
        Path input = Path.of(args.require("input"));
        Map<String, String> options = new HashMap<>();
        options.put("folder", input.toString());
        options.put("model", args.require("model"));
        options.put("output", args.require("output"));
        options.put("layer", args.get("layer", "auto"));
        options.put("depth", args.get("depth", null));
        options.put("minleaf", args.get("min-leaf", null));
        options.put("pool", args.get("pool", null));
        options.put("folds", args.get("folds", null));
        options.put("seed", args.get("seed", null));
        options.put("alpha", args.get("alpha", null));
        options.put("atlas", args.get("atlas", null));
        options.put("normalize", args.get("normalize", "model"));
        options.put("device", args.get("device", "auto"));
        options.put("fit", args.get("fit", "error"));
        options.put("overwrite", Boolean.toString(args.flag("overwrite")));
        int total = ImageFiles.list(input).size();
        Progress progress = Progress.of(err, total, "images", args.flag("quiet"));
        try (SciJavaCommands commands = new SciJavaCommands()) {
            ProgressListener listener = new ProgressListener(progress);
            commands.subscribe(listener);
            Module m = commands.run(org.cnnexplain.plugin.RulesCommand.class, null, options);
            String skipped = (String) m.getOutput("skipped");
            if (!skipped.isEmpty()) {
                progress.interrupt();
                skipped.lines().forEach(l -> err.println("cnn-explain: skipped " + l));
            }
            out.print(m.getOutput("rules"));
            if (!args.flag("quiet")) {
                err.println("cnn-explain: wrote rules.txt, rules.json, rules.csv into " + options.get("output"));
            }
            return skipped.isEmpty() ? 0 : 1;
        }
    }

    /** Steps the CLI's progress line as the command reports images done (SciJava status events). */
    static final class ProgressListener {
        private final Progress progress;
        private int done;

        ProgressListener(Progress progress) {
            this.progress = progress;
        }

        @EventHandler
        public void onEvent(StatusEvent e) {
            synchronized (this) {
                while (done < e.getProgressValue()) {
                    progress.step();
                    done++;
                }
            }
        }
    }
}
