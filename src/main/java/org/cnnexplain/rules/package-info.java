/**
 * Rules a biologist can read: what a classifier looks at, over a whole folder, as a shallow
 * decision tree on the globally pooled activations of one layer's channels, fitted to predict
 * the model's own class.
 *
 * <p>{@link org.cnnexplain.rules.ActivationPass} streams the folder through the model and keeps
 * only C pooled values per image ({@link org.cnnexplain.rules.ActivationTable});
 * {@link org.cnnexplain.rules.Cart} fits the tree (Gini, depth and leaf-size limits,
 * cost-complexity pruning); {@link org.cnnexplain.rules.CrossValidation} measures how well it
 * agrees with the model on images it was not fitted on; {@link org.cnnexplain.rules.RuleReport}
 * writes the rules as text and JSON, with the atlas rows of the channels they use
 * ({@link org.cnnexplain.rules.AtlasRows}).
 *
 * <p>Sits between {@code plugin} (which calls it) and {@code explain}/{@code model}/{@code image}
 * (which it calls); it never touches ImageJ windows.
 */
package org.cnnexplain.rules;
