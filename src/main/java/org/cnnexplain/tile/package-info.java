/**
 * Whole fields of view: an image larger than the model cut into overlapping model-sized tiles,
 * run in batches, and every result stitched back at the image's size ({@code fit=tile}).
 *
 * <p>{@link org.cnnexplain.tile.TileGrid} places the tiles (reflect-padded at the borders) and
 * weighs them with a Hann window; {@link org.cnnexplain.tile.Stitcher} blends per-tile maps;
 * {@link org.cnnexplain.tile.ClassMap} interpolates per-tile class probabilities to the image;
 * {@link org.cnnexplain.tile.TiledRun} drives the model and the explanation methods over the
 * tiles, batch by batch, with progress and cancellation; a per-pixel model (a U-Net) runs in tiles
 * grown by a {@link org.cnnexplain.tile.Halo} (or its package's halo), and
 * {@link org.cnnexplain.tile.TiledSegCam} gives its exact Seg-Grad-CAM over the whole field. This package uses {@code explain},
 * {@code image} and {@code model}; {@code plugin} and {@code cli} use it.
 */
package org.cnnexplain.tile;
