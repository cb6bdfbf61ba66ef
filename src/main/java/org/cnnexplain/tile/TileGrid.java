package org.cnnexplain.tile;

import org.cnnexplain.UserError;

/**
 * Where the tiles of a {@code width} × {@code height} image lie: {@code nx} × {@code ny} tiles of
 * {@code tileW} × {@code tileH} pixels, {@code strideX} / {@code strideY} apart, the whole grid
 * centred on the image so that what overhangs it (at most one stride) is split between both
 * borders and filled by mirroring ({@link #reflect}, numpy's {@code reflect}). An image smaller
 * than a tile is one tile, mirrored out.
 *
 * <p>Each tile's results are weighed by a Hann window, {@code w(i) = sin²(π (i + ½) / T)}: smooth,
 * near zero at the tile's edges, never zero (so a pixel seen by one tile only keeps that tile's
 * value) and, at stride T/2, summing to exactly 1 over overlapping tiles. The window is separable
 * and the grid a product, so the summed weight at (x, y) is {@link #weightSumX}[x] ×
 * {@link #weightSumY}[y]: two short arrays instead of an image of weights.
 *
 * <pre>{@code
 * TileGrid g = TileGrid.of(1024, 1024, 128, 128, 64, 64);
 * g.nx();          // 15
 * g.originX(0);    // 0 (15 tiles of 128 at stride 64 cover exactly 1024)
 * TileGrid.of(300, 128, 128, 128, 64, 64).originX(0);   // -10: 4 tiles cover 320, 20 overhang, 10 a side
 * }</pre>
 */
public record TileGrid(int width, int height, int tileW, int tileH, int strideX, int strideY, int[] xs, int[] ys) {

    /** The grid for an image of {@code width} × {@code height}; strides must be 1 to the tile size. */
    public static TileGrid of(int width, int height, int tileW, int tileH, int strideX, int strideY) {
        if (strideX < 1 || strideY < 1 || strideX > tileW || strideY > tileH) {
            throw new UserError("stride " + strideX + (strideX == strideY ? "" : " x " + strideY)
                    + " does not fit tiles of " + tileW + " x " + tileH + " pixels: give a stride from 1 to "
                    + Math.min(tileW, tileH) + " (0 = half the tile)");
        }
        return new TileGrid(width, height, tileW, tileH, strideX, strideY, centred(width, tileW, strideX),
                centred(height, tileH, strideY));
    }

    private static int[] centred(int size, int tile, int stride) {
        int n = size <= tile ? 1 : (size - tile + stride - 1) / stride + 1;
        int pad = (n - 1) * stride + tile - size;
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = i * stride - pad / 2;
        }
        return o;
    }

    /**
     * The grid of a per-pixel model run with a {@code halo}: tile i keeps its output on
     * [i · inner, (i + 1) · inner), inner = tile - 2 halo, and starts {@code halo} before it, or flush
     * with the image's border where that would leave the image, so that every kept pixel either
     * sees its whole receptive field or sees the image's own border, as a run on the whole image
     * does. An image smaller than a tile is one tile, mirrored out beyond its end.
     */
    public static TileGrid halo(int width, int height, int tileW, int tileH, int halo) {
        int innerX = tileW - 2 * halo;
        int innerY = tileH - 2 * halo;
        return new TileGrid(width, height, tileW, tileH, innerX, innerY, flush(width, tileW, innerX, halo),
                flush(height, tileH, innerY, halo));
    }

    private static int[] flush(int size, int tile, int inner, int halo) {
        int n = size <= tile ? 1 : (size + inner - 1) / inner;
        int[] o = new int[n];
        for (int i = 0; i < n; i++) {
            o[i] = Math.max(0, Math.min(i * inner - halo, size - tile));
        }
        return o;
    }

    public int nx() {
        return xs.length;
    }

    public int ny() {
        return ys.length;
    }

    public int tiles() {
        return nx() * ny();
    }

    /** Left edge of tile column {@code ix} in image pixels (negative where the grid overhangs). */
    public int originX(int ix) {
        return xs[ix];
    }

    public int originY(int iy) {
        return ys[iy];
    }

    /** Index {@code i} in [0, n) after mirroring at the borders without repeating the edge pixel. */
    public static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int m = Math.floorMod(i, period);
        return m < n ? m : period - m;
    }

    /**
     * Tile {@code t} (row-major over the grid) of {@code image} ({@code channels} planes of
     * width × height, channel-major), written to {@code out} from {@code offset} as (C, tileH, tileW).
     */
    public void cut(float[] image, int channels, int t, float[] out, int offset) {
        int ox = originX(t % nx());
        int oy = originY(t / nx());
        int plane = width * height;
        int[] xs = new int[tileW];
        for (int x = 0; x < tileW; x++) {
            xs[x] = reflect(ox + x, width);
        }
        int o = offset;
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < tileH; y++) {
                int row = c * plane + reflect(oy + y, height) * width;
                if (ox >= 0 && ox + tileW <= width) {
                    System.arraycopy(image, row + ox, out, o, tileW);
                    o += tileW;
                } else {
                    for (int x = 0; x < tileW; x++) {
                        out[o++] = image[row + xs[x]];
                    }
                }
            }
        }
    }

    /** The Hann window of a tile of {@code n} pixels. */
    public static double[] window(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            double s = Math.sin(Math.PI * (i + 0.5) / n);
            w[i] = s * s;
        }
        return w;
    }

    /** Per column of the image: the summed window weight of the tiles covering it. */
    public double[] weightSumX() {
        return sums(width, tileW, nx(), this::originX);
    }

    public double[] weightSumY() {
        return sums(height, tileH, ny(), this::originY);
    }

    private static double[] sums(int size, int tile, int n, java.util.function.IntUnaryOperator origin) {
        double[] w = window(tile);
        double[] sum = new double[size];
        for (int i = 0; i < n; i++) {
            int o = origin.applyAsInt(i);
            for (int p = Math.max(0, o); p < Math.min(size, o + tile); p++) {
                sum[p] += w[p - o];
            }
        }
        return sum;
    }

    /** "15 x 15 tiles of 128 x 128 px, stride 64". */
    public String describe() {
        return nx() + " x " + ny() + " tiles of " + tileW + " x " + tileH + " px, stride " + strideX
                + (strideX == strideY ? "" : " x " + strideY);
    }
}
