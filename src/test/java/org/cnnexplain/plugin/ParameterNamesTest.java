package org.cnnexplain.plugin;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.scijava.ItemIO;
import org.scijava.plugin.Parameter;
import org.junit.jupiter.api.Test;

/**
 * ImageJ's Macro.getValue finds {@code key=} anywhere in the options string, so no parameter name may
 * be the end of another ({@code layer} would read {@code targetlayer=}'s value). Checked over the input
 * parameters of every command, as DESIGN.md §1 asks.
 */
class ParameterNamesTest {

    static final List<Class<?>> COMMANDS = List.of(PredictCommand.class, FeatureMapsCommand.class,
            DeconvnetCommand.class, CamCommand.class, GradCamCommand.class, EvaluateCommand.class, RulesCommand.class,
            NeuronAtlasCommand.class, MaximizeCommand.class);

    static Set<String> inputs(Class<?> c) {
        Set<String> names = new TreeSet<>();
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                Parameter p = f.getAnnotation(Parameter.class);
                if (p != null && p.type() != ItemIO.OUTPUT && (f.getType().isPrimitive()
                        || f.getType() == String.class || f.getType() == java.io.File.class)) {
                    names.add(f.getName());
                }
            }
        }
        return names;
    }

    @Test
    void noParameterNameEndsAnother() {
        Set<String> all = new TreeSet<>();
        COMMANDS.forEach(c -> all.addAll(inputs(c)));
        assertTrue(all.containsAll(List.of("smoothgrad", "samples", "noise", "seed", "augment", "eigensmooth")), all.toString());
        List<String> clashes = new ArrayList<>();
        for (String a : all) {
            for (String b : all) {
                if (!a.equals(b) && b.endsWith(a)) {
                    clashes.add(a + " ends " + b);
                }
                assertFalse(!a.equals(a.toLowerCase(java.util.Locale.ROOT)), a + " is not lower-case");
            }
        }
        assertTrue(clashes.isEmpty(), clashes.toString());
    }
}
