package org.cnnexplain.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * What a pass over a folder keeps: per image (and plane), its name, the model's predicted class,
 * and one pooled value per channel of the chosen layer — C floats, nothing else, so 10,000 images
 * of a 512-channel layer take 20 MB.
 */
public final class ActivationTable {

    /** One image plane: file name, plane (1-based), the model's class, the pooled channel values. */
    public record Row(String image, int slice, int predicted, float[] pooled) {
    }

    private final int channels;
    private final List<Row> rows = new ArrayList<>();

    public ActivationTable(int channels) {
        this.channels = channels;
    }

    public void add(Row row) {
        if (row.pooled().length != channels) {
            throw new IllegalArgumentException("expected " + channels + " channels, got " + row.pooled().length);
        }
        rows.add(row);
    }

    public int channels() {
        return channels;
    }

    public int size() {
        return rows.size();
    }

    public Row row(int i) {
        return rows.get(i);
    }

    /** The pooled values, one row per image (the rows themselves, not copies). */
    public float[][] x() {
        float[][] x = new float[rows.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = rows.get(i).pooled();
        }
        return x;
    }

    /** The model's predicted classes. */
    public int[] y() {
        return rows.stream().mapToInt(Row::predicted).toArray();
    }
}
