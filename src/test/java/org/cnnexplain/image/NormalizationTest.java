package org.cnnexplain.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.cnnexplain.UserError;
import org.junit.jupiter.api.Test;

class NormalizationTest {

    @Test
    void percentileInterpolatesLikeNumpy() {
        // numpy.percentile([1, 2, 3, 4], 50) == 2.5 ; ([0, 10], 99.8) == 9.98
        assertEquals(2.5f, Normalization.percentile(new float[] {1, 2, 3, 4}, 50), 1e-6);
        assertEquals(9.98f, Normalization.percentile(new float[] {0, 10}, 99.8), 1e-5);
    }

    @Test
    void modesScaleAsDocumented() {
        float[] px = {2, 4, 6, 8};
        float[] mm = px.clone();
        Normalization.of("minmax", null).apply(mm, 0);
        assertArrayEquals(new float[] {0, 1f / 3, 2f / 3, 1}, mm, 1e-6f);
        float[] z = px.clone();
        Normalization.of("zscore", null).apply(z, 0);
        double sd = Math.sqrt(5);   // population std of 2,4,6,8
        assertArrayEquals(new float[] {(float) (-3 / sd), (float) (-1 / sd), (float) (1 / sd), (float) (3 / sd)}, z, 1e-5f);
        float[] none = px.clone();
        Normalization.of("none", null).apply(none, 0);
        assertArrayEquals(px, none);
    }

    @Test
    void unknownModeNamesTheValidOnes() {
        UserError e = assertThrows(UserError.class, () -> Normalization.of("bogus", null));
        assertEquals("unknown normalisation mode 'bogus' (valid: model, none, minmax, percentile, zscore)", e.getMessage());
    }

    @Test
    void greyImagesFeedEveryChannelOfAnRgbModel() {
        assertArrayEquals(new int[] {0, 0, 0}, ChannelMapping.map(1, 3));
        assertArrayEquals(new int[] {0, 1, 2}, ChannelMapping.map(3, 3));
        assertThrows(UserError.class, () -> ChannelMapping.map(3, 1));
    }
}
