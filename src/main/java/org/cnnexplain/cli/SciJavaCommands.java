package org.cnnexplain.cli;

import ij.ImagePlus;
import java.io.File;
import java.util.HashMap;
import java.util.Map;
import org.cnnexplain.UserError;
import org.cnnexplain.plugin.CommandInputs;
import org.cnnexplain.plugin.ModelService;
import org.scijava.Cancelable;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.log.LogLevel;
import org.scijava.log.LogService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;

/**
 * Runs the Fiji commands from the command line: the CLI options become the
 * commands' inputs under the same names, so a macro, Fiji and the CLI run one
 * and the same code. One SciJava context per CLI run; its model service loads
 * each model once.
 */
final class SciJavaCommands implements AutoCloseable {

    private final Context context;
    private final CommandService commands;
    private final ModuleService modules;

    SciJavaCommands() {
        context = new Context(CommandService.class, ModelService.class, org.scijava.app.StatusService.class);
        context.service(LogService.class).setLevel(LogLevel.NONE);   // the CLI reports errors itself
        commands = context.service(CommandService.class);
        modules = context.service(ModuleService.class);
    }

    /**
     * Registers {@code listener}'s {@code @EventHandler} methods (e.g. for the commands' progress
     * events); SciJava holds listeners weakly, so keep a reference while the command runs.
     */
    void subscribe(Object listener) {
        context.service(org.scijava.event.EventService.class).subscribe(listener);
    }

    ModelService models() {
        return context.service(ModelService.class);
    }

    /**
     * Runs {@code type} on {@code image} with the given options (strings, as typed);
     * options the command does not declare are left out, and those not given take the command's
     * defaults (never a remembered dialog value). A cancelled command is a {@link UserError}.
     */
    Module run(Class<? extends Command> type, ImagePlus image, Map<String, String> options) {
        CommandInfo info = commands.getCommand(type);
        Map<String, Object> inputs = new HashMap<>();
        if (image != null) {
            inputs.put("image", image);
        }
        for (Map.Entry<String, String> o : options.entrySet()) {
            ModuleItem<?> item = info.getInput(o.getKey());
            if (item != null && o.getValue() != null) {
                inputs.put(o.getKey(), convert(o.getKey(), o.getValue(), item.getType()));
            }
        }
        try {
            // CommandService.run returns null for DynamicCommands (a documented SciJava API flaw): use ModuleService
            Module module = modules.run(info, true, CommandInputs.withDefaults(context, info, inputs)).get();
            if (module instanceof Cancelable c && c.isCanceled()) {
                throw new UserError(c.getCancelReason());
            }
            return module;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof UserError u) {
                throw u;
            }
            throw new IllegalStateException(cause);
        }
    }

    private static Object convert(String name, String value, Class<?> type) {
        try {
            if (type == int.class || type == Integer.class) {
                return Integer.parseInt(value.trim());
            }
            if (type == double.class || type == Double.class) {
                return Double.parseDouble(value.trim());
            }
        } catch (NumberFormatException e) {
            throw new UserError("--" + name + " must be a number, got '" + value + "'");
        }
        if (type == boolean.class || type == Boolean.class) {
            return Boolean.parseBoolean(value.trim());
        }
        if (type == File.class) {
            return new File(value);
        }
        return value;
    }

    /** Keeps the tile progress subscriber reachable (SciJava holds subscribers weakly). */
    private Object tileProgress;

    private java.io.PrintStream notes;

    /** Prints {@code text} as a "cnn-explain: ..." line when {@link #onTiles} asked for notes. */
    void note(String text) {
        if (notes != null) {
            notes.println("cnn-explain: " + text);
        }
    }

    /**
     * For {@code fit=tile}: {@link #note}s go to {@code err} unless {@code quiet}, and with
     * {@code progress} the commands' tile progress ("tiles done / total" status events) too, as a
     * progress line; a new pass over the tiles starts a new line.
     */
    void onTiles(java.io.PrintStream err, boolean quiet, boolean progress) {
        notes = quiet ? null : err;
        if (!progress) {
            return;
        }
        tileProgress = new Object() {
            private Progress progress;
            private int max;
            private int last;

            @org.scijava.event.EventHandler
            public void status(org.scijava.app.event.StatusEvent e) {
                int total = e.getProgressMaximum();
                int done = e.getProgressValue();
                if (total <= 0 || e.getStatusMessage() == null || !e.getStatusMessage().contains("tiles")) {
                    return;
                }
                if (progress == null || total != max || done < last) {
                    progress = Progress.of(err, total, "tiles", quiet);
                    max = total;
                }
                last = done;
                progress.advanceTo(done);
            }
        };
        context.service(org.scijava.event.EventService.class).subscribe(tileProgress);
    }

    @Override
    public void close() {
        context.dispose();
    }
}
