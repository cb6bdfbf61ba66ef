package org.cnnexplain.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.cnnexplain.UserError;
import org.junit.jupiter.api.Test;

/** NumPy's own np.save output in every dtype, byte order and memory order reads back to the same values. */
class NpyArrayTest {

    static final Path DIR = Path.of("src/test/resources/bioimageio/npy");

    @Test
    void everyVariantEqualsTheReference() throws Exception {
        NpyArray ref = NpyArray.read(DIR.resolve("reference.npy"));
        assertArrayEquals(new long[] {2, 3, 4}, ref.shape());
        assertEquals(1f, ref.data()[0]);
        assertEquals(1f + 3 * 23, ref.data()[23]);
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> !p.getFileName().toString().equals("reference.npy")).sorted().toList();
        }
        assertEquals(23, files.size());
        for (Path f : files) {
            NpyArray a = NpyArray.read(f);
            assertArrayEquals(ref.shape(), a.shape(), f.toString());
            assertArrayEquals(ref.data(), a.data(), 0f, f.toString());
        }
    }

    @Test
    void notANpyFileIsAOneLineError() throws Exception {
        Path bad = Files.createTempFile("bad", ".npy");
        Files.writeString(bad, "just text, not numpy");
        UserError e = assertThrows(UserError.class, () -> NpyArray.read(bad));
        assertTrue(e.getMessage().contains("not a .npy file"), e.getMessage());
        Files.delete(bad);
    }
}
