package org.cnnexplain.plugin;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.cnnexplain.testutil.CommandContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.Macro;
import java.util.ArrayList;
import java.util.List;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.command.DynamicCommand;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;
import org.scijava.service.Service;
import org.junit.jupiter.api.Test;

/**
 * Every dialog field's label starts with its macro key (ImageJ 1 derives the key from the first
 * word), and Fiji's dialog lists what to explain first, display next, advanced last.
 */
class DialogLayoutTest {

    @RegisterExtension
    static final CommandContext context = new CommandContext();

    @Test
    void everyLabelStartsWithItsMacroKeyAndEveryParameterHasItsPlace() {
        for (var e : IJ1Bridge.COMMANDS.entrySet()) {
            CommandInfo info = context.service(CommandService.class).getCommand(e.getValue());
            for (ModuleItem<?> item : fields(info.inputs())) {
                assertEquals(item.getName(), Macro.trimKey(item.getLabel()), e.getKey() + ": label '" + item.getLabel() + "'");
                assertEquals(item.getLabel(), IJ1Bridge.label(item));
                assertTrue(DialogLayout.ORDER.contains(item.getName()), e.getKey() + ": " + item.getName() + " has no place");
            }
        }
    }

    @Test
    void fijisDialogListsWhatToExplainFirstThenDisplayThenAdvanced() throws Exception {
        CommandInfo info = context.service(CommandService.class).getCommand(GradCamCommand.class);
        DynamicCommand module = (DynamicCommand) context.service(ModuleService.class).createModule(info);
        module.initialize();
        List<String> names = new ArrayList<>();
        for (ModuleItem<?> item : fields(module.getInfo().inputs())) {
            names.add(item.getName());
        }
        assertEquals(List.of("model", "target", "layer", "variant", "guided", "samples", "smoothgrad", "noise",
                "augment", "eigensmooth", "lut", "opacity", "layerres", "montage", "score", "batch", "seed", "normalize",
                "device", "fit", "stride"), names);
        DialogLayout.Section last = DialogLayout.Section.EXPLAIN;
        for (String n : names) {
            assertTrue(DialogLayout.sectionOf(n).compareTo(last) >= 0, n + " out of its section");
            last = DialogLayout.sectionOf(n);
        }
        // Score-CAM's batch applies only to Score-CAM, Deconvnet's target only to signal=class
        assertEquals(List.of("variant", "scorecam"), List.of(DialogLayout.APPLIES_WHEN.get("batch")));
    }

    static List<ModuleItem<?>> fields(Iterable<? extends ModuleItem<?>> inputs) {
        List<ModuleItem<?>> out = new ArrayList<>();
        for (ModuleItem<?> item : inputs) {
            Class<?> t = item.getType();
            if (!Service.class.isAssignableFrom(t) && !Context.class.isAssignableFrom(t) && t != ImagePlus.class) {
                out.add(item);
            }
        }
        return out;
    }
}
