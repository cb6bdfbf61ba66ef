package org.cnnexplain.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.macro.Interpreter;
import org.cnnexplain.testutil.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Evaluate from an ImageJ 1 macro, the way the recorder writes it (one-word keys), with the plugin
 * installed the ImageJ 1 way: the scores land in the Results table, where getResult reads them.
 */
@EnabledIf("org.cnnexplain.plugin.ImageJ1Install#hasDisplay")
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EvaluateMacroTest {

    @BeforeAll
    static void install() throws Exception {
        ImageJ1Install.create();
    }

    @Test
    void macroRunsEvaluateAndReadsTheResultsTable() throws Exception {
        String image = TestModels.firstDemoImage("mitotic").toAbsolutePath().toString();
        String mask = TestModels.DEMO_IMAGES.resolve("masks")
                .resolve(TestModels.firstDemoImage("mitotic").getFileName().toString().replace(".tif", ".png"))
                .toAbsolutePath().toString();
        String macro = "open(\"" + image + "\");\n"
                + "run(\"Evaluate\", \"model=[" + TestModels.DEMO_MODEL.toAbsolutePath() + "] normalize=model device=cpu"
                + " fit=error mask=[" + mask + "] methods=[gradcam,cam] layer=auto target=top1 tolerance=15 steps=10\");\n"
                + "return \"\" + nResults + \" \" + getResultString(\"Method\", 1) + \" \" + getResult(\"Deletion AUC\", 0)"
                + " + \" \" + getResult(\"Random deletion AUC\", 0);\n";
        Interpreter interpreter = new Interpreter();
        interpreter.setIgnoreErrors(true);
        String r = interpreter.run(macro, "");
        assertNull(interpreter.getErrorMessage(), "macro failed");
        String[] f = r.split(" ");
        assertEquals("2", f[0], r);
        assertEquals("cam", f[1], r);
        assertTrue(Double.parseDouble(f[2]) < Double.parseDouble(f[3]), "deletion beats random: " + r);
    }
}
