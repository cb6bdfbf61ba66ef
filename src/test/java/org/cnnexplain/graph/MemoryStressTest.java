package org.cnnexplain.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cnnexplain.testutil.StressCases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every family and every method in strict memory mode ({@link MemoryCheck}: the Java memory of
 * every tensor the executor frees is poisoned and released at once, no run tensor may live in Java
 * memory, a garbage collection runs after every 8th node), compared bit for bit with a reference
 * run in a fresh JVM without it.
 * Before the fix of the use-after-free, the demo's first Grad-CAM failed here at node '/Reshape'.
 * {@code SoakBenchmark} is the long version.
 */
class MemoryStressTest {

    @AfterEach
    void off() {
        MemoryCheck.setEnabled(false);
    }

    @Test
    void everyCaseIsBitIdenticalUnderStrictMemoryMode() throws Exception {
        Map<String, String> reference = StressCases.referenceFromFreshJvm();
        List<StressCases.Case> cases = StressCases.all();
        assertEquals(cases.size(), reference.size(), "the reference JVM ran every case");
        List<String> differ = new ArrayList<>();
        MemoryCheck.setGcEvery(8);   // the poisoning is what finds a freed buffer; the collections add pressure
        try (StressCases.Models models = new StressCases.Models()) {
            for (StressCases.Case c : cases) {
                if (!StressCases.fingerprint(models, c).equals(reference.get(c.name()))) {
                    differ.add(c.name());
                }
            }
        }
        assertTrue(differ.isEmpty(), "results differ from the fresh JVM's: " + differ);
    }
}
