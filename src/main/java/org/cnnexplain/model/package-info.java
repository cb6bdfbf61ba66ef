/**
 * Loading a model file with its spec, choosing the device, and naming layers.
 *
 * <p>{@link org.cnnexplain.model.ModelLoader} turns a path and a device choice
 * into an {@link org.cnnexplain.model.ExplainableModel}: what computes it (a
 * {@code Network}: the ONNX graph run node by node, or a TorchScript module run
 * whole, optionally cut at {@code features}/{@code head}), the class names and
 * input normalisation from the spec file beside it
 * ({@link org.cnnexplain.model.ModelSpec}), and the list of layers a user can
 * name ({@link org.cnnexplain.model.Layer}). {@link org.cnnexplain.model.Prediction}
 * turns outputs into class scores (and pixel fractions for segmentation models).
 */
package org.cnnexplain.model;
