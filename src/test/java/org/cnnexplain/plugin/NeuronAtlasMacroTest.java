package org.cnnexplain.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.macro.Interpreter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * Neuron Atlas from an ImageJ 1 macro, the way the recorder writes it, with no image open (a folder is
 * the input) and the plugin installed the ImageJ 1 way: the importance lands in the Results table.
 */
@EnabledIf("org.cnnexplain.plugin.ImageJ1Install#hasDisplay")
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NeuronAtlasMacroTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void install() throws Exception {
        ImageJ1Install.create();
    }

    @Test
    void macroRunsTheAtlasOnAFolderAndReadsTheImportance() throws Exception {
        try (var files = Files.list(TestModels.DEMO_IMAGES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".tif")).sorted().limit(4).toList()) {
                Files.copy(f, tmp.resolve(f.getFileName()));
            }
        }
        String macro = "while (nImages > 0) close();\n"
                + "run(\"Neuron Atlas\", \"model=[" + TestModels.DEMO_MODEL.toAbsolutePath() + "] folder=["
                + tmp.toAbsolutePath() + "] layer=block4 channels=0,1 top=2 first=0 distinct rule=deconvnet importance"
                + " normalize=model device=cpu fit=error\");\n"
                + "return \"\" + nResults + \" \" + getResultString(\"Class\", 0) + \" \" + nImages;\n";
        Interpreter interpreter = new Interpreter();
        interpreter.setIgnoreErrors(true);
        String r = interpreter.run(macro, "");
        assertNull(interpreter.getErrorMessage(), "macro failed");
        String[] f = r.split(" ");
        assertEquals("256", f[0], r);            // 4 classes x 64 channels
        assertEquals("interphase", f[1], r);
        assertTrue(Integer.parseInt(f[2]) >= 2, "the atlas and the importance plots are shown: " + r);
    }
}
