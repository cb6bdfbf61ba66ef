package org.cnnexplain.explain;

/**
 * The eight flips and 90° turns of a plane (the dihedral group of the square): transform {@code t}
 * flips left-right when t ≥ 4, then turns t mod 4 times by 90° counter-clockwise. A microscope image
 * has no preferred orientation, so these are the test-time augmentations that fit it; a non-square
 * plane only has the four that keep its shape (none, turned twice, and their flipped versions).
 *
 * <pre>{@code
 * float[] turned = Dihedral.apply(1, plane, h, w);        // w × h
 * float[] back = Dihedral.invert(1, turned, w, h);         // h × w, equal to plane
 * }</pre>
 */
final class Dihedral {

    private Dihedral() {
    }

    /** The transforms that keep an h × w plane's shape: all eight when square, else 0, 2, 4, 6. */
    static int[] shapeKeeping(int h, int w) {
        return h == w ? new int[] {0, 1, 2, 3, 4, 5, 6, 7} : new int[] {0, 2, 4, 6};
    }

    /** Transform t of each h × w plane of {@code v} (planes after one another). */
    static float[] apply(int t, float[] v, int h, int w) {
        float[] out = t >= 4 ? flip(v, h, w) : v.clone();
        int hh = h;
        int ww = w;
        for (int r = 0; r < t % 4; r++) {
            out = turn(out, hh, ww);
            int tmp = hh;
            hh = ww;
            ww = tmp;
        }
        return out;
    }

    /** The inverse of {@link #apply}: {@code v}'s planes are the transformed ones, of size h × w. */
    static float[] invert(int t, float[] v, int h, int w) {
        float[] out = v.clone();
        int hh = h;
        int ww = w;
        for (int r = 0; r < (4 - t % 4) % 4; r++) {
            out = turn(out, hh, ww);
            int tmp = hh;
            hh = ww;
            ww = tmp;
        }
        return t >= 4 ? flip(out, hh, ww) : out;
    }

    /** Left-right mirror of every plane. */
    private static float[] flip(float[] v, int h, int w) {
        float[] out = new float[v.length];
        for (int base = 0; base < v.length; base += h * w) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[base + y * w + x] = v[base + y * w + (w - 1 - x)];
                }
            }
        }
        return out;
    }

    /** One 90° counter-clockwise turn of every h × w plane: pixel (y, x) goes to (w - 1 - x, y) of a w × h plane. */
    private static float[] turn(float[] v, int h, int w) {
        float[] out = new float[v.length];
        for (int base = 0; base < v.length; base += h * w) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[base + (w - 1 - x) * h + y] = v[base + y * w + x];
                }
            }
        }
        return out;
    }
}
