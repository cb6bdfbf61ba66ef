/**
 * The explanation methods. Knows nothing of ImageJ: tensors in, maps out.
 *
 * <p>{@link org.cnnexplain.explain.Target} says which score is explained (for a
 * segmentation model, summed over a {@link org.cnnexplain.explain.Region});
 * {@link org.cnnexplain.explain.LayerGradients} runs one forward + backward pass
 * and hands back a layer's activations and the target's gradient with respect to
 * them. {@link org.cnnexplain.explain.CamMethod} does the work every CAM variant
 * shares (target, gradients, weighted sum, ReLU, upsampling); each variant
 * ({@link org.cnnexplain.explain.GradCam}, {@link org.cnnexplain.explain.GradCamPlusPlus}, ...)
 * only computes its weights. {@link org.cnnexplain.explain.Backprop} is the
 * reverse pass with replaceable ReLU rules behind Deconvnet, guided backprop and
 * Guided Grad-CAM. Results are {@link org.cnnexplain.explain.MapStack}s: planes,
 * or volumes for 3-D models.
 */
package org.cnnexplain.explain;
