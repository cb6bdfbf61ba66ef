/**
 * Loading a model file with its spec, choosing the device, and naming layers.
 *
 * <p>{@link org.cnnexplain.model.ModelLoader} turns a path and a device choice
 * into an {@link org.cnnexplain.model.ExplainableModel}: the executable graph,
 * the class names and input normalisation from the spec file beside it
 * ({@link org.cnnexplain.model.ModelSpec}), and the list of layers a user can
 * name ({@link org.cnnexplain.model.Layer}).
 */
package org.cnnexplain.model;
