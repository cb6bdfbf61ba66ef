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
 * A bioimage.io package (folder, zip or rdf.yaml) is read by
 * {@link org.cnnexplain.model.BioImageIoPackage} into its weights file and a spec
 * carrying the package's preprocessing; its test tensors are {@code .npy} files
 * ({@link org.cnnexplain.model.NpyArray}).
 * A model with dynamic spatial axes takes each image at its own size:
 * {@link org.cnnexplain.model.InputSizes} says which sizes (the multiple its graph
 * needs) and {@link org.cnnexplain.model.InputPadding} mirrors an input out to one
 * and crops results back; layer tables are made and cached per input size.
 */
package org.cnnexplain.model;
