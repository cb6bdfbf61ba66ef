package org.cnnexplain.plugin;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.scijava.module.ModuleItem;
import org.scijava.module.MutableModuleInfo;

/**
 * The order and sections of every command's dialog, for the ImageJ 1 bridge and for Fiji: first
 * what to explain (model, target class, layer, method), then the display, then the advanced
 * options. SciJava lists a command's parameters superclass first, which put the model's
 * normalisation and device before the layer; {@link #reorder} fixes that for Fiji's dialog.
 *
 * <p>Each label starts with the parameter's name, because ImageJ 1 takes a dialog field's macro
 * key from its label's first word: {@code "Layer: module path, node name, or auto"} records
 * {@code layer=...}. {@code DialogLayoutTest} checks it for every parameter.
 */
final class DialogLayout {

    /** A dialog section: heading and a one-line description. */
    enum Section {
        EXPLAIN("What to explain", "The model, the class and the layer to explain, and the method."),
        OPTIMISE("Optimisation", "How an input is synthesised: learning rate, range, and what keeps it readable."),
        DISPLAY("Display", "How the results are shown."),
        ADVANCED("Advanced", "Input preparation and hardware; the defaults suit most models.");

        final String heading;
        final String description;

        Section(String heading, String description) {
            this.heading = heading;
            this.description = description;
        }
    }

    /** Every parameter name in dialog order. */
    static final List<String> ORDER = List.of("folder", "model", "objective", "target", "layer", "variant", "rule",
            "signal", "channels", "top", "first", "distinct", "importance", "neuron", "sort", "guided", "samples",
            "smoothgrad", "noise", "augment", "eigensmooth", "mask", "methods", "pool", "depth", "minleaf",
            "rate", "range", "jitter", "scaling", "rotation", "decay", "tv", "blur", "blurevery", "pixels",
            "lut", "opacity", "layerres", "montage", "atlas", "output", "overwrite",
            "score", "batch", "alpha", "folds", "seed", "tolerance", "steps", "normalize", "device", "fit", "stride");

    private static final Map<String, Section> SECTIONS = Map.ofEntries(Map.entry("lut", Section.DISPLAY),
            Map.entry("opacity", Section.DISPLAY), Map.entry("layerres", Section.DISPLAY),
            Map.entry("montage", Section.DISPLAY), Map.entry("atlas", Section.DISPLAY),
            Map.entry("output", Section.DISPLAY), Map.entry("overwrite", Section.DISPLAY),
            Map.entry("alpha", Section.ADVANCED), Map.entry("folds", Section.ADVANCED),
            Map.entry("score", Section.ADVANCED),
            Map.entry("batch", Section.ADVANCED), Map.entry("seed", Section.ADVANCED),
            Map.entry("tolerance", Section.ADVANCED), Map.entry("steps", Section.ADVANCED),
            Map.entry("normalize", Section.ADVANCED), Map.entry("device", Section.ADVANCED),
            Map.entry("fit", Section.ADVANCED), Map.entry("stride", Section.ADVANCED), Map.entry("rate", Section.OPTIMISE),
            Map.entry("range", Section.OPTIMISE), Map.entry("jitter", Section.OPTIMISE),
            Map.entry("scaling", Section.OPTIMISE), Map.entry("rotation", Section.OPTIMISE),
            Map.entry("decay", Section.OPTIMISE), Map.entry("tv", Section.OPTIMISE), Map.entry("blur", Section.OPTIMISE),
            Map.entry("blurevery", Section.OPTIMISE), Map.entry("pixels", Section.OPTIMISE));

    /**
     * Parameters that apply only when another one has a given value (when that other one is in the
     * same command): Score-CAM's batch, and Deconvnet's target and score for signal=class.
     */
    static final Map<String, String[]> APPLIES_WHEN = Map.of(
            "batch", new String[] {"variant", "scorecam"},
            "target", new String[] {"signal", "class"},
            "score", new String[] {"signal", "class"},
            "neuron", new String[] {"objective", "neuron"});

    /** The README section the Help button points at. */
    static final String HELP = "README.md, section \"In Fiji and ImageJ\"";

    private DialogLayout() {
    }

    static Section sectionOf(String name) {
        return SECTIONS.getOrDefault(name, Section.EXPLAIN);
    }

    /** {@code items} in dialog order (names not in {@link #ORDER} last, as declared). */
    static <T extends ModuleItem<?>> List<T> ordered(Iterable<T> items) {
        List<T> list = new ArrayList<>();
        items.forEach(list::add);
        list.sort(Comparator.comparingInt(i -> {
            int k = ORDER.indexOf(i.getName());
            return k < 0 ? ORDER.size() : k;
        }));
        return list;
    }

    /** Puts a module's inputs into dialog order (what Fiji's dialog lists). */
    static void reorder(MutableModuleInfo info) {
        List<ModuleItem<?>> inputs = new ArrayList<>();
        info.inputs().forEach(inputs::add);
        for (ModuleItem<?> item : ordered(inputs)) {
            info.removeInput(item);
            info.addInput(item);
        }
    }
}
