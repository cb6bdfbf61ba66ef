/**
 * cnn-explain: shows why a CNN image classifier decided what it decided.
 *
 * <p>Data flows one way through the sub-packages:
 * {@code image} (pixels to tensors) → {@code model} / {@code graph} / {@code onnx}
 * (running the network, tapping any layer) → {@code explain} (the methods) →
 * {@code render} (LUTs, overlays) → {@code plugin} and {@code cli} (front ends).
 * {@link org.cnnexplain.UserError} is the one exception type whose message is
 * meant for the user.
 */
package org.cnnexplain;
