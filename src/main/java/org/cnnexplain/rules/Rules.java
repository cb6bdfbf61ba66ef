package org.cnnexplain.rules;

import org.cnnexplain.UserError;

/**
 * A fitted tree and how faithful it is to the model: {@code fidelity} on every image it was fitted
 * on, {@code heldoutFidelity} on images it was not (stratified k-fold, {@link CrossValidation}).
 *
 * @param heldout every image's class as predicted by the tree fitted without its fold
 */
public record Rules(TreeNode tree, double fidelity, double heldoutFidelity, int[] heldout) {

    public static Rules fit(ActivationTable table, int classes, Cart.Params params, int folds, long seed) {
        if (table.size() == 0) {
            throw new UserError("no image could be read: no rules to fit");
        }
        float[][] x = table.x();
        int[] y = table.y();
        TreeNode tree = Cart.fit(x, y, classes, params);
        int[] fitted = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            fitted[i] = tree.predict(x[i]);
        }
        int[] heldout = CrossValidation.predict(x, y, classes, params, folds, seed);
        return new Rules(tree, CrossValidation.agreement(fitted, y), CrossValidation.agreement(heldout, y), heldout);
    }
}
