package org.cnnexplain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CI runs exactly the README's test command, and that command needs nothing but Java and Maven. */
class ReadmeCommandTest {

    @Test
    void ciRunsTheReadmesTestCommand() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String block = readme.substring(readme.indexOf("```bash") + 7, readme.indexOf("```", readme.indexOf("```bash") + 7));
        String test = block.lines().filter(l -> l.startsWith("mvn ")).findFirst().orElseThrow()
                .replaceAll("\\s+#.*$", "").trim();
        List<String> ci = Files.readAllLines(Path.of(".ci", "run")).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertEquals(test, ci.get(ci.size() - 1), "the last command of .ci/run");
        assertFalse(test.contains("xvfb"), "a fresh machine has no xvfb-run: " + test);
    }
}
