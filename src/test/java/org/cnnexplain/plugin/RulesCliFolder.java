package org.cnnexplain.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cnnexplain.testutil.TestModels;

/** A small folder for the Rules surface tests: the first 3 demo images of each class (12). */
public final class RulesCliFolder {

    private RulesCliFolder() {
    }

    public static Path small(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, Integer> taken = new HashMap<>();
        List<String> lines = Files.readAllLines(TestModels.DEMO_IMAGES.resolve("labels.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            if (taken.merge(f[2], 1, Integer::sum) <= 3) {
                Files.copy(TestModels.DEMO_IMAGES.resolve(f[0]), dir.resolve(f[0]));
            }
        }
        return dir;
    }
}
