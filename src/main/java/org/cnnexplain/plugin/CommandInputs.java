package org.cnnexplain.plugin;

import ij.ImagePlus;
import java.util.HashMap;
import java.util.Map;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;
import org.scijava.service.Service;

/**
 * A complete input map for a command: the given values, and the command's own
 * defaults for every other parameter.
 *
 * <p>SciJava fills an input that is not given from the value the user chose the
 * last time (its preferences). That is what a person at a dialog wants, never
 * what a script, a macro test or a headless batch run wants: their results would
 * depend on what somebody once clicked. Non-interactive callers therefore pass
 * every input.
 */
public final class CommandInputs {

    private CommandInputs() {
    }

    public static Map<String, Object> withDefaults(Context context, CommandInfo info, Map<String, Object> given) {
        Module defaults = context.service(ModuleService.class).createModule(info);
        Map<String, Object> inputs = new HashMap<>();
        for (ModuleItem<?> item : info.inputs()) {
            Class<?> t = item.getType();
            if (Service.class.isAssignableFrom(t) || Context.class.isAssignableFrom(t) || t == ImagePlus.class) {
                continue;
            }
            Object value = item.getValue(defaults);
            if (value != null) {
                inputs.put(item.getName(), value);
            }
        }
        inputs.putAll(given);
        return inputs;
    }
}
