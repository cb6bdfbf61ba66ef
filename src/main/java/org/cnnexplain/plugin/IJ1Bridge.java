package org.cnnexplain.plugin;

import ij.IJ;
import ij.Macro;
import ij.Prefs;
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
            "evaluate", EvaluateCommand.class,
            "rules", RulesCommand.class,
            "atlas", NeuronAtlasCommand.class,
            "maximize", MaximizeCommand.class);

    /**
     * Commands that need no open image: the folder commands (the atlas uses the open stack when no
     * folder is given) and the synthesis of preferred inputs.
     */
    static final java.util.Set<String> IMAGE_OPTIONAL = java.util.Set.of("rules", "atlas", "maximize");

    private static Context context;

    /**
     * One SciJava context for the whole ImageJ session, so loaded models are shared across commands.
     * Call with ImageJ's class loader as the thread's (see {@link #run}): SciJava finds its services
     * and our commands through it.
     */
    static synchronized Context context() {
        if (context == null) {
            context = new Context(CommandService.class, ModelService.class);
        }
        return context;
    }

    /**
     * Runs the command with ImageJ's plugin class loader as the thread's context class loader. In
     * ImageJ 1 our jars sit in {@code plugins/} and only that loader sees them; SciJava's plugin
     * index and DJL's engine and native lookup all ask the thread's loader, which is the
     * application's (no SciJava, no DJL) on ImageJ's threads. Threads SciJava starts inherit it.
     */
    @Override
    public void run(String arg) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(IJ.getClassLoader());
        try {
            runCommand(arg);
        } catch (RuntimeException | LinkageError e) {
            // never a stack trace dialog from ImageJ: one line, like a user error
            report(e.toString());
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private void runCommand(String arg) {
        Class<? extends Command> type = COMMANDS.get(arg);
        if (type == null) {
            report("unknown command '" + arg + "'");
            return;
        }
        CommandService commands = context().service(CommandService.class);
        CommandInfo info = commands.getCommand(type);
        ImagePlus image = WindowManager.getCurrentImage();
        if (image == null && !IMAGE_OPTIONAL.contains(arg)) {
            report(info.getTitle() + ": no image is open");
            return;
        }
        if (!isInteractive() && Macro.getOptions() == null) {
            // a -batch macro without options: a dialog would wait for nobody
            report(info.getTitle() + ": give the options in the macro, e.g. run(\"" + info.getTitle()
                    + "\", \"model=[/path/model.onnx]\")");
            return;
        }
        Map<String, Object> inputs = ask(info);
        if (inputs == null) {
            return;   // dialog cancelled
        }
        if (image != null) {
            inputs.put("image", image);
        }
        try {
            // CommandService.run returns null for DynamicCommands (a documented SciJava API flaw): use ModuleService
            Module module = context().service(ModuleService.class).run(info, true, inputs).get();
            if (module instanceof Cancelable c && c.isCanceled()) {
                report(c.getCancelReason());
                return;
            }
            show(module.getOutput("result"));
            show(module.getOutput("raw"));
            show(module.getOutput("montage"));
            show(module.getOutput("sheet"));   // the labelled montage Predict, CAM and Grad-CAM make on request
            show(module.getOutput("probabilities"));
            show(module.getOutput("plot"));
            if (image != null) {
                image.updateAndDraw();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            report(info.getTitle() + ": " + (e.getCause() == null ? e : e.getCause()).toString());
        }
    }

    /** Where the last model chosen in a dialog is remembered (IJ_Prefs.txt). */
    static final String MODEL_PREF = "cnnexplain.model";

    /**
     * The dialog; null when the user cancels. Sections in {@link DialogLayout}'s order, each field
     * labelled with the parameter's label, whose first word is the macro key, so the dialog records
     * {@code run("Grad-CAM", "model=[...] target=mitotic layer=block4 ...")} and reads macro options.
     */
    static Map<String, Object> ask(CommandInfo info) {
        GenericDialog gd = new GenericDialog("CNN Explain – " + info.getTitle());
        Module defaults = context().service(ModuleService.class).createModule(info);   // with its context injected
        boolean macro = Macro.getOptions() != null;
        List<ModuleItem<?>> items = new java.util.ArrayList<>();
        Map<String, java.awt.Component> fields = new HashMap<>();
        DialogLayout.Section section = null;
        for (ModuleItem<?> item : DialogLayout.ordered(info.inputs())) {
            Class<?> t = item.getType();
            if (Service.class.isAssignableFrom(t) || Context.class.isAssignableFrom(t) || t == ImagePlus.class) {
                continue;
            }
            String name = item.getName();
            if (DialogLayout.sectionOf(name) != section) {
                section = DialogLayout.sectionOf(name);
                gd.setInsets(section == DialogLayout.Section.EXPLAIN ? 0 : 12, 0, 0);
                gd.addMessage(section.heading, new java.awt.Font("SansSerif", java.awt.Font.BOLD, 13));
                gd.addMessage(section.description, new java.awt.Font("SansSerif", java.awt.Font.ITALIC, 11));
            }
            Object value = item.getValue(defaults);
            String label = label(item);
            if (t == String.class && item.getChoices() != null && !item.getChoices().isEmpty()) {
                List<?> choices = item.getChoices();
                gd.addChoice(label, choices.stream().map(Object::toString).toArray(String[]::new),
                        value == null ? choices.get(0).toString() : value.toString());
                fields.put(name, (java.awt.Component) gd.getChoices().lastElement());
            } else if (t == File.class) {
                // only the model is remembered: a mask or a folder belongs to one run
                String remembered = macro || !name.equals("model") ? "" : Prefs.get(MODEL_PREF, "");
                String text = value == null ? remembered : value.toString();
                if ("directory".equals(item.getWidgetStyle())) {
                    gd.addDirectoryField(label, text, 40);
                } else {
                    gd.addFileField(label, text, 40);
                }
                fields.put(name, (java.awt.Component) gd.getStringFields().lastElement());
            } else if (t == boolean.class || t == Boolean.class) {
                gd.addCheckbox(label, value != null && (Boolean) value);
                fields.put(name, (java.awt.Component) gd.getCheckboxes().lastElement());
            } else if (t == double.class || t == int.class) {
                gd.addNumericField(label, value == null ? 0 : ((Number) value).doubleValue(), t == int.class ? 0 : 2);
                fields.put(name, (java.awt.Component) gd.getNumericFields().lastElement());
            } else {
                gd.addStringField(label, value == null ? "" : value.toString(), 24);
                fields.put(name, (java.awt.Component) gd.getStringFields().lastElement());
            }
            items.add(item);
        }
        gd.addHelp(help(info, items));
        gd.addDialogListener((dialog, event) -> enableWhereApplicable(fields));
        enableWhereApplicable(fields);
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
                if (!path.isBlank() && !macro && item.getName().equals("model")) {
                    Prefs.set(MODEL_PREF, path);
                }
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

    /** The parameter's label when its first word is the macro key (as DialogLayout requires), else the name. */
    static String label(ModuleItem<?> item) {
        String label = item.getLabel();
        return label != null && Macro.trimKey(label).equals(item.getName()) ? label : item.getName();
    }

    /** Greys out what does not apply (Score-CAM's batch for another variant, ...); fields stay readable by macros. */
    private static boolean enableWhereApplicable(Map<String, java.awt.Component> fields) {
        DialogLayout.APPLIES_WHEN.forEach((name, when) -> {
            if (fields.get(name) != null && fields.get(when[0]) instanceof java.awt.Choice c) {
                fields.get(name).setEnabled(when[1].equals(c.getSelectedItem()));
            }
        });
        return true;
    }

    /** The Help button's page: each section's options with their descriptions, and where the README says more. */
    private static String help(CommandInfo info, List<ModuleItem<?>> items) {
        StringBuilder html = new StringBuilder("<html><h2>CNN Explain – ").append(info.getTitle()).append("</h2>");
        DialogLayout.Section section = null;
        for (ModuleItem<?> item : items) {
            if (DialogLayout.sectionOf(item.getName()) != section) {
                section = DialogLayout.sectionOf(item.getName());
                html.append("<h3>").append(section.heading).append("</h3><p><i>").append(section.description)
                        .append("</i></p>");
            }
            html.append("<p><b>").append(item.getName()).append("</b> – ").append(label(item));
            if (item.getDescription() != null && !item.getDescription().isBlank()) {
                html.append(". ").append(item.getDescription());
            }
            html.append("</p>");
        }
        return html.append("<p>In a macro: <tt>run(\"").append(info.getTitle())
                .append("\", \"model=[/path/model.onnx] ...\")</tt> with the names in bold. More in the ")
                .append(DialogLayout.HELP).append(".</p></html>").toString();
    }

    private static void show(Object output) {
        if (output instanceof ImagePlus imp) {
            imp.show();
        }
    }

    /**
     * A user error: in the Log window (macros go on; in {@code -batch} mode that is stdout), and as a
     * dialog only when a person is at an ImageJ window and no macro runs.
     */
    private static void report(String message) {
        IJ.log("CNN Explain: " + message);
        if (isInteractive() && !IJ.isMacro()) {
            IJ.error("CNN Explain", message);
        }
    }

    /** An ImageJ window on a display: somebody can answer a dialog. */
    private static boolean isInteractive() {
        return IJ.getInstance() != null && !java.awt.GraphicsEnvironment.isHeadless();
    }
}
