package org.cnnexplain.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.cnnexplain.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three forms of {@code --input} on Hadoop's local file system, and the inputs refused. */
class InputImagesTest {

    private static final Configuration CONF = new Configuration();

    @Test
    void folderGlobAndListOfPaths(@TempDir Path tmp) throws Exception {
        Path a = Files.createDirectories(tmp.resolve("plate01"));
        Path b = Files.createDirectories(tmp.resolve("plate02"));
        for (String n : List.of("A01.tif", "A02.png", "notes.txt", ".hidden.tif")) {
            Files.writeString(a.resolve(n), "x");
        }
        Files.writeString(b.resolve("B01.tif"), "x");

        assertEquals(List.of("A01.tif", "A02.png"), names(InputImages.list(a.toString(), CONF)));
        assertEquals(List.of("A01.tif", "A02.png", "B01.tif"), names(InputImages.list(tmp + "/plate0*", CONF)));
        assertEquals(List.of("A01.tif", "B01.tif"), names(InputImages.list(tmp + "/plate*/*.tif", CONF)));
        assertTrue(InputImages.list(a.toString(), CONF).get(0).startsWith("file:/"), "qualified paths");

        Path list = tmp.resolve("screen.txt");
        Files.writeString(list, "# two fields\nplate01/A01.tif\n\n" + b.resolve("B01.tif") + "\n");
        List<String> listed = InputImages.list(list.toString(), CONF);
        assertEquals(List.of("A01.tif", "B01.tif"), names(listed));
        assertTrue(listed.stream().anyMatch(p -> p.endsWith("/plate01/A01.tif")), "relative to the list: " + listed);
    }

    @Test
    void refusesWhatWouldCollideOrIsNotThere(@TempDir Path tmp) throws Exception {
        Path a = Files.createDirectories(tmp.resolve("p1"));
        Path b = Files.createDirectories(tmp.resolve("p2"));
        Files.writeString(a.resolve("A01.tif"), "x");
        Files.writeString(b.resolve("A01.tif"), "x");
        UserError same = assertThrows(UserError.class, () -> InputImages.list(tmp + "/p*/*.tif", CONF));
        assertTrue(same.getMessage().contains("same output files"), same.getMessage());
        assertTrue(assertThrows(UserError.class, () -> InputImages.list(tmp + "/nothing*.tif", CONF)).getMessage()
                .startsWith("no images match"));
        assertTrue(assertThrows(UserError.class, () -> InputImages.list(tmp + "/missing", CONF)).getMessage()
                .startsWith("input not found"));
    }

    private static List<String> names(List<String> paths) {
        return paths.stream().map(p -> p.substring(p.lastIndexOf('/') + 1)).toList();
    }
}
