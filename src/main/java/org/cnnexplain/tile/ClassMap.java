package org.cnnexplain.tile;

import java.util.List;

/**
 * Where in a field the model sees each class: the class probabilities of every tile, placed at the
 * tile's centre and interpolated bilinearly between centres (held constant beyond the outermost
 * ones) to any pixel of the image. Only the tiles' probabilities are kept; a class's full-size plane
 * is made when asked for ({@link #plane}), so a large field costs one plane at a time.
 *
 * <pre>{@code
 * ClassMap m = new ClassMap(grid, classNames);
 * m.set(t, probabilities);       // tile t's K probabilities
 * m.majority();                  // the class predicted on most tiles
 * float[] mitotic = m.plane(1);  // grid.height() x grid.width()
 * }</pre>
 */
public final class ClassMap {

    private final TileGrid grid;
    private final List<String> classes;
    private final float[] probabilities;   // tile-major: tile t's K values from t * K

    public ClassMap(TileGrid grid, List<String> classes) {
        this.grid = grid;
        this.classes = List.copyOf(classes);
        this.probabilities = new float[grid.tiles() * classes.size()];
    }

    public TileGrid grid() {
        return grid;
    }

    public List<String> classes() {
        return classes;
    }

    public void set(int tile, float[] p) {
        System.arraycopy(p, 0, probabilities, tile * classes.size(), classes.size());
    }

    /** Tile {@code t}'s probability of class {@code k}. */
    public float probability(int t, int k) {
        return probabilities[t * classes.size() + k];
    }

    /** Tile {@code t}'s most probable class. */
    public int top1(int t) {
        int k = classes.size();
        int best = 0;
        for (int c = 1; c < k; c++) {
            if (probabilities[t * k + c] > probabilities[t * k + best]) {
                best = c;
            }
        }
        return best;
    }

    /** How many tiles predict each class. */
    public int[] votes() {
        int[] v = new int[classes.size()];
        for (int t = 0; t < grid.tiles(); t++) {
            v[top1(t)]++;
        }
        return v;
    }

    /** The class predicted on most tiles (ties: the lower index). */
    public int majority() {
        int[] v = votes();
        int best = 0;
        for (int c = 1; c < v.length; c++) {
            if (v[c] > v[best]) {
                best = c;
            }
        }
        return best;
    }

    /** Class {@code k}'s probability at every pixel, row-major. */
    public float[] plane(int k) {
        int w = grid.width();
        int h = grid.height();
        int[] x0 = new int[w];
        float[] fx = new float[w];
        axis(w, grid.nx(), grid.strideX(), grid.originX(0) + grid.tileW() / 2.0, x0, fx);
        int[] y0 = new int[h];
        float[] fy = new float[h];
        axis(h, grid.ny(), grid.strideY(), grid.originY(0) + grid.tileH() / 2.0, y0, fy);
        int nx = grid.nx();
        int nk = classes.size();
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            int r0 = y0[y] * nx;
            int r1 = Math.min(y0[y] + 1, grid.ny() - 1) * nx;
            for (int x = 0; x < w; x++) {
                int c1 = Math.min(x0[x] + 1, nx - 1);
                float top = lerp(probabilities[(r0 + x0[x]) * nk + k], probabilities[(r0 + c1) * nk + k], fx[x]);
                float bottom = lerp(probabilities[(r1 + x0[x]) * nk + k], probabilities[(r1 + c1) * nk + k], fx[x]);
                out[y * w + x] = lerp(top, bottom, fy[y]);
            }
        }
        return out;
    }

    /** For each pixel along an axis: the tile centre at or before its centre, and the fraction to the next. */
    private static void axis(int size, int n, int stride, double firstCentre, int[] index, float[] frac) {
        for (int p = 0; p < size; p++) {
            double u = (p + 0.5 - firstCentre) / stride;
            u = Math.max(0, Math.min(n - 1, u));
            int i = Math.min((int) Math.floor(u), n - 1);
            index[p] = i;
            frac[p] = (float) (u - i);
        }
    }

    private static float lerp(float a, float b, float t) {
        return a + (b - a) * t;
    }
}
