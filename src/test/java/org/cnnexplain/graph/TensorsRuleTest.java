package org.cnnexplain.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No main code makes a tensor from Java data except through {@link Tensors}: DJL's
 * {@code NDManager.create(array)} keeps the data in Java memory that a living view can outlive
 * (the use-after-free {@link MemoryCheck} was built to catch). A source rule, so that new code
 * cannot bring the bug back where no test happens to run it.
 */
class TensorsRuleTest {

    /** {@code x.create(} on anything but the file system. */
    private static final Pattern CREATE = Pattern.compile("(?<!Files)(?<!Directories)\\.create\\(");

    @Test
    void everyTensorFromJavaDataGoesThroughTensors() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                if (f.getFileName().toString().equals("Tensors.java")) {
                    continue;
                }
                List<String> lines = Files.readAllLines(f);
                if (lines.stream().noneMatch(l -> l.contains("ai.djl.ndarray"))) {
                    continue;   // no NDManager in reach: create() there is Gson's, Spark's, Hadoop's
                }
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).strip();
                    if (!line.startsWith("*") && !line.startsWith("//") && CREATE.matcher(line).find()) {
                        offenders.add(f + ":" + (i + 1) + ": " + line);
                    }
                }
            }
        }
        assertEquals(List.of(), offenders, "make tensors from Java data with Tensors.of");
    }
}
