package org.cnnexplain.model;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.cnnexplain.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Damaged descriptions: one value anywhere in the zoo-style rdf replaced by a value of another
 * kind. Reading either works or is a one-line {@link UserError}; never another exception.
 */
class BioImageIoFuzzTest {

    @TempDir
    Path tmp;

    @Test
    void everyDamagedRdfIsReadOrRefusedInOneLine() throws Exception {
        Path src = Path.of("src/test/resources/bioimageio/nuclei-like");
        for (String f : List.of("weights.onnx", "weights.pt", "test_input.npy", "test_output.npy", "README.md")) {
            Files.copy(src.resolve(f), tmp.resolve(f));
        }
        String text = Files.readString(src.resolve("rdf.yaml"));
        Random rng = new Random(16);
        Object[] replacements = {null, 7, -1, 2.5, "x", "", List.of(), List.of(1, "a"), Map.of(), Map.of("min", "z")};
        int refused = 0;
        for (int i = 0; i < 120; i++) {
            Object rdf = new Yaml().load(text);
            List<Object[]> slots = new ArrayList<>();   // {container, key or index}
            collect(rdf, slots);
            Object[] slot = slots.get(rng.nextInt(slots.size()));
            set(slot, replacements[rng.nextInt(replacements.length)]);
            Files.writeString(tmp.resolve("rdf.yaml"), new Yaml().dump(rdf));
            try {
                BioImageIoPackage.open(tmp);
            } catch (UserError e) {
                assertTrue(e.getMessage() != null && !e.getMessage().contains("\n"), e.getMessage());
                refused++;
            } catch (RuntimeException e) {
                fail("slot " + slot[1] + " of " + slot[0] + ": " + e, e);
            }
        }
        System.out.println("damaged rdf files refused: " + refused + " of 120 (the others read)");
        assertTrue(refused > 20, refused + " of 120 refused");
    }

    @SuppressWarnings("unchecked")
    private static void collect(Object node, List<Object[]> slots) {
        if (node instanceof Map<?, ?> m) {
            for (Object k : new ArrayList<>(m.keySet())) {
                slots.add(new Object[] {m, k});
                collect(m.get(k), slots);
            }
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                slots.add(new Object[] {l, i});
                collect(l.get(i), slots);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void set(Object[] slot, Object value) {
        Object copy = value instanceof Map<?, ?> m ? new LinkedHashMap<>(m) : value instanceof List<?> l ? new ArrayList<>(l)
                : value;
        if (slot[0] instanceof Map<?, ?> m) {
            ((Map<Object, Object>) m).put(slot[1], copy);
        } else {
            ((List<Object>) slot[0]).set((Integer) slot[1], copy);
        }
    }
}
