package org.cnnexplain.plugin;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import java.io.File;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.scijava.Cancelable;
import org.scijava.Context;
import org.scijava.command.Command;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;
import org.scijava.service.Service;

/**
 * Shows the SciJava commands in plain ImageJ 1 (through {@code plugins.config}):
 * builds a {@link GenericDialog} from the command's inputs, one field per
 * parameter labelled with the parameter's name, so the dialog records into
 * macros as {@code run("Grad-CAM", "model=[...] layer=block4 ...")} and reads
 * macro options the ImageJ 1 way; then runs the command and shows its outputs.
 *
 * <p>In Fiji the jar goes into {@code jars/}, where Fiji finds the SciJava
 * commands itself and this bridge's {@code plugins.config} is not read, so
 * every entry appears once.
 */
public class IJ1Bridge implements PlugIn {

    static final Map<String, Class<? extends Command>> COMMANDS = Map.of(
            "predict", PredictCommand.class,
            "featuremaps", FeatureMapsCommand.class,
            "deconvnet", DeconvnetCommand.class,
            "cam", CamCommand.class,
            "gradcam", GradCamCommand.class,
            "evaluate", EvaluateCommand.class);

    private static Context context;

    /** One SciJava context for the whole ImageJ session, so loaded models are shared across commands. */
    static synchronized Context context() {
        if (context == null) {
            context = new Context(CommandService.class, ModelService.class);
        }
        return context;
    }

    @Override
    public void run(String arg) {
        Class<? extends Command> type = COMMANDS.get(arg);
        if (type == null) {
            IJ.error("CNN Explain", "unknown command '" + arg + "'");
            return;
        }
        CommandService commands = context().service(CommandService.class);
        CommandInfo info = commands.getCommand(type);
        ImagePlus image = WindowManager.getCurrentImage();
        if (image == null) {
            report(info.getTitle() + ": no image is open");
            return;
        }
        Map<String, Object> inputs = ask(info);
        if (inputs == null) {
            return;   // dialog cancelled
        }
        inputs.put("image", image);
        try {
            // CommandService.run returns null for DynamicCommands (a documented SciJava API flaw): use ModuleService
            Module module = context().service(ModuleService.class).run(info, true, inputs).get();
            if (module instanceof Cancelable c && c.isCanceled()) {
                report(c.getCancelReason());
                return;
            }
            show(module.getOutput("result"));
            show(module.getOutput("montage"));
            show(module.getOutput("probabilities"));
            show(module.getOutput("plot"));
            image.updateAndDraw();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            report(info.getTitle() + ": " + (e.getCause() == null ? e : e.getCause()).toString());
        }
    }

    /** The dialog; null when the user cancels. Field labels are the parameter names (the macro keys). */
    static Map<String, Object> ask(CommandInfo info) {
        GenericDialog gd = new GenericDialog("CNN Explain – " + info.getTitle());
        Module defaults = context().service(ModuleService.class).createModule(info);   // with its context injected
        List<ModuleItem<?>> items = new java.util.ArrayList<>();
        for (ModuleItem<?> item : info.inputs()) {
            Class<?> t = item.getType();
            if (Service.class.isAssignableFrom(t) || Context.class.isAssignableFrom(t) || t == ImagePlus.class) {
                continue;
            }
            Object value = item.getValue(defaults);
            String name = item.getName();
            if (t == String.class && item.getChoices() != null && !item.getChoices().isEmpty()) {
                List<?> choices = item.getChoices();
                gd.addChoice(name, choices.stream().map(Object::toString).toArray(String[]::new),
                        value == null ? choices.get(0).toString() : value.toString());
            } else if (t == File.class) {
                gd.addFileField(name, value == null ? "" : value.toString());
            } else if (t == boolean.class || t == Boolean.class) {
                gd.addCheckbox(name, value != null && (Boolean) value);
            } else if (t == double.class || t == int.class) {
                gd.addNumericField(name, value == null ? 0 : ((Number) value).doubleValue(), t == int.class ? 0 : 2);
            } else {
                gd.addStringField(name, value == null ? "" : value.toString(), 24);
            }
            items.add(item);
        }
        gd.showDialog();
        if (gd.wasCanceled()) {
            return null;
        }
        Map<String, Object> inputs = new HashMap<>();
        for (ModuleItem<?> item : items) {
            Class<?> t = item.getType();
            if (t == String.class && item.getChoices() != null && !item.getChoices().isEmpty()) {
                inputs.put(item.getName(), gd.getNextChoice());
            } else if (t == File.class) {
                String path = gd.getNextString();
                inputs.put(item.getName(), path.isBlank() ? null : new File(path));
            } else if (t == boolean.class || t == Boolean.class) {
                inputs.put(item.getName(), gd.getNextBoolean());
            } else if (t == int.class) {
                inputs.put(item.getName(), (int) Math.round(gd.getNextNumber()));
            } else if (t == double.class) {
                inputs.put(item.getName(), gd.getNextNumber());
            } else {
                inputs.put(item.getName(), gd.getNextString());
            }
        }
        return inputs;
    }

    private static void show(Object output) {
        if (output instanceof ImagePlus imp) {
            imp.show();
        }
    }

    /** A user error: in the Log window (macros go on), and as a dialog when a person is at the keyboard. */
    private static void report(String message) {
        IJ.log("CNN Explain: " + message);
        if (!IJ.isMacro() && !java.awt.GraphicsEnvironment.isHeadless()) {
            IJ.error("CNN Explain", message);
        }
    }
}
