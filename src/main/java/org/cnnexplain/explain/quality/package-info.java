/**
 * How good is an explanation on the user's own data? Given images and masks of what should matter,
 * {@link org.cnnexplain.explain.quality.Evaluation} scores each explanation method with the pointing
 * game, the energy ratio ({@link org.cnnexplain.explain.Localization}) and deletion and insertion
 * curves ({@link org.cnnexplain.explain.quality.PixelCurves}: pixels of the raw image replaced in the
 * map's order, each step through the model's own normalisation). The truth tests and the Evaluate
 * command (Fiji and CLI) use this code, so their numbers are the same.
 */
package org.cnnexplain.explain.quality;
