package org.cnnexplain.testutil;

import java.nio.file.Path;
import org.cnnexplain.model.NpyArray;

/** A golden .npy written by src/test/python/golden_io.py, read by the main code's {@link NpyArray}. */
public record Npy(long[] shape, float[] data) {

    public static Npy read(Path file) {
        NpyArray a = NpyArray.read(file);
        return new Npy(a.shape(), a.data());
    }
}
