/**
 * Activation maximisation (Erhan et al. 2009; Simonyan et al. 2014; Olah et al. 2017, "Feature
 * Visualization"): the input a channel, a neuron or a class score responds to most, synthesised from
 * seeded noise by gradient ascent through the engine.
 *
 * <p>{@link org.cnnexplain.explain.maximize.ActivationMaximisation} runs it; a {@link
 * org.cnnexplain.explain.maximize.Unit} says what is maximised, {@link
 * org.cnnexplain.explain.maximize.Regularisers} and {@link org.cnnexplain.explain.maximize.Settings}
 * how. The image is a {@link org.cnnexplain.explain.maximize.Parameterisation} (pixels, or a
 * decorrelated Fourier basis), seen by the model through a {@link
 * org.cnnexplain.explain.maximize.RandomWarp} each step, and updated by {@link
 * org.cnnexplain.explain.maximize.Adam}.
 */
package org.cnnexplain.explain.maximize;
