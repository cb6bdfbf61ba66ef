/**
 * What a network learned over a whole data set (Zeiler &amp; Fergus 2014): the neuron atlas and the
 * class → channel importance.
 *
 * <p>{@link org.cnnexplain.atlas.ReceptiveField} computes, from the graph, which input pixels a neuron of a
 * layer can see. {@link org.cnnexplain.atlas.AtlasBuilder} streams over the samples of a folder or stack once,
 * keeping per channel a bounded heap of its K strongest neurons ({@link org.cnnexplain.atlas.TopK}) and per class
 * the running sums of every channel's Grad-CAM weight ({@link org.cnnexplain.atlas.Importance}); then it revisits
 * only the images that hold a kept neuron to cut the receptive-field patch and project that one neuron back
 * with the deconvnet ({@link org.cnnexplain.explain.Backprop}). {@link org.cnnexplain.atlas.AtlasFigures} draws
 * the montage and the importance bar plots, {@link org.cnnexplain.atlas.AtlasTables} writes the CSV files.
 *
 * <p>Sits between {@code plugin} and {@code render}: the Fiji command and the CLI call it; it uses
 * {@code explain}, {@code image}, {@code model} and {@code graph}, and ImageJ 1 processors for its figures.
 */
package org.cnnexplain.atlas;
