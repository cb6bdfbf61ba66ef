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
 * Rules from an ImageJ 1 macro as the recorder writes it, with no image open (it reads a folder),
 * the plugin installed the ImageJ 1 way: the rules land in the "Rules" table (and the Log window,
 * which ImageJ 1 keeps only when its main window is open) and the files in the output folder.
 */
@EnabledIf("org.cnnexplain.plugin.ImageJ1Install#hasDisplay")
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RulesMacroTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void install() throws Exception {
        ImageJ1Install.create();
    }

    @Test
    void macroRunsRulesOverAFolderWithoutAnOpenImage() throws Exception {
        Path in = RulesCliFolder.small(tmp.resolve("in"));
        Path out = tmp.resolve("out");
        String macro = "run(\"Close All\");\n"
                + "run(\"Rules\", \"folder=[" + in.toAbsolutePath() + "] model=[" + TestModels.DEMO_MODEL.toAbsolutePath()
                + "] layer=block4 pool=max depth=2 minleaf=2 output=[" + out.toAbsolutePath()
                + "] alpha=0 folds=2 seed=0 normalize=model device=cpu fit=error\");\n"
                + "return \"\" + Table.size(\"Rules\") + \"|\" + Table.getString(\"Class\", 0, \"Rules\") + \"|\""
                + " + Table.getString(\"Text\", 0, \"Rules\");\n";
        Interpreter interpreter = new Interpreter();
        interpreter.setIgnoreErrors(true);
        String r = interpreter.run(macro, "");
        assertNull(interpreter.getErrorMessage(), "macro failed: " + r);
        String[] f = r.split("\\|", 3);
        assertTrue(Integer.parseInt(f[0]) >= 2, r);
        assertTrue(f[2].startsWith("IF block4 ch "), "the Rules table has the rules: " + f[2]);
        assertTrue(Files.readString(out.resolve("rules.txt")).contains("THEN " + f[1]), r);
        assertEquals(12, Files.readAllLines(out.resolve("rules.csv")).size() - 1);
    }
}
