package org.cnnexplain.tile;

import java.util.List;
import org.cnnexplain.explain.MapStack;
import org.cnnexplain.image.ImageLimits;

/**
 * Blends the maps of every tile into maps of the whole image: each tile's map weighed by the Hann
 * window of its grid ({@link TileGrid}), summed, and divided by the summed weights, so that no seam
 * shows and a pixel seen by one tile keeps that tile's value. The sums are the only full-size
 * memory: one float image per map plane.
 *
 * <pre>{@code
 * Stitcher s = new Stitcher(grid);
 * s.add(t, tileMaps);                 // tile t's maps, tileH x tileW each, any number of planes
 * MapStack whole = s.result(labels);  // grid.height() x grid.width()
 * }</pre>
 */
public final class Stitcher {

    private final TileGrid grid;
    private final double[] wx;
    private final double[] wy;
    private float[][] sums;

    public Stitcher(TileGrid grid) {
        this.grid = grid;
        this.wx = TileGrid.window(grid.tileW());
        this.wy = TileGrid.window(grid.tileH());
    }

    /** Adds tile {@code t}'s maps (all of one tile's planes, at the tile's size). */
    public void add(int t, MapStack maps) {
        if (maps.width() != grid.tileW() || maps.height() != grid.tileH() || maps.depth() != 1) {
            throw new IllegalArgumentException("a tile's maps must be 2-D and of the tile's size");
        }
        int planes = maps.planes();
        if (sums == null) {
            ImageLimits.check(grid.width(), grid.height(), planes, 1);
            sums = new float[planes][grid.width() * grid.height()];
        }
        int ox = grid.originX(t % grid.nx());
        int oy = grid.originY(t / grid.nx());
        int x0 = Math.max(0, ox);
        int x1 = Math.min(grid.width(), ox + grid.tileW());
        int tileSize = grid.tileW() * grid.tileH();
        float[] data = maps.data();
        for (int p = 0; p < planes; p++) {
            float[] sum = sums[p];
            for (int y = Math.max(0, oy); y < Math.min(grid.height(), oy + grid.tileH()); y++) {
                double wrow = wy[y - oy];
                int in = p * tileSize + (y - oy) * grid.tileW() - ox;
                int out = y * grid.width();
                for (int x = x0; x < x1; x++) {
                    sum[out + x] += (float) (wrow * wx[x - ox] * data[in + x]);
                }
            }
        }
    }

    /** The blended maps, labelled; the sums are handed over (this stitcher is spent). */
    public MapStack result(List<String> labels) {
        double[] sx = grid.weightSumX();
        double[] sy = grid.weightSumY();
        int w = grid.width();
        int h = grid.height();
        float[] data = new float[sums.length == 1 ? 0 : sums.length * w * h];
        for (int p = 0; p < sums.length; p++) {
            float[] sum = sums[p];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    sum[y * w + x] = (float) (sum[y * w + x] / (sx[x] * sy[y]));
                }
            }
            if (sums.length > 1) {
                System.arraycopy(sum, 0, data, p * w * h, w * h);
                sums[p] = null;
            }
        }
        float[] all = sums.length == 1 ? sums[0] : data;   // one map: no second full-size copy
        sums = null;
        return new MapStack(all, labels.size(), h, w, labels);
    }
}
