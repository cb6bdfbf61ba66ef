package org.cnnexplain.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cnnexplain.UserError;

/**
 * Held-out agreement of a tree with the model: stratified k-fold cross-validation. Each class's
 * images are shuffled with {@code seed} and dealt to the folds in turn, so every fold has about
 * the same share of every class; each fold is predicted by a tree fitted on the other k − 1.
 *
 * <pre>{@code
 * int[] heldOut = CrossValidation.predict(x, y, 4, Cart.Params.DEFAULT, 5, 0);
 * double fidelity = CrossValidation.agreement(heldOut, y);
 * }</pre>
 */
public final class CrossValidation {

    private CrossValidation() {
    }

    /** The fold (0 … k−1) of every image. */
    public static int[] folds(int[] y, int classes, int k, long seed) {
        if (k < 2) {
            throw new UserError("folds must be 2 or more, got " + k);
        }
        if (k > y.length) {
            throw new UserError("folds (" + k + ") cannot exceed the number of images (" + y.length + ")");
        }
        Random random = new Random(seed);
        int[] fold = new int[y.length];
        int next = 0;
        for (int c = 0; c < classes; c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < y.length; i++) {
                if (y[i] == c) {
                    members.add(i);
                }
            }
            java.util.Collections.shuffle(members, random);
            for (int i : members) {
                fold[i] = next++ % k;
            }
        }
        return fold;
    }

    /** Every image's class as predicted by the tree fitted without its fold. */
    public static int[] predict(float[][] x, int[] y, int classes, Cart.Params params, int k, long seed) {
        int[] fold = folds(y, classes, k, seed);
        int[] out = new int[y.length];
        for (int f = 0; f < k; f++) {
            int train = 0;
            for (int v : fold) {
                train += v == f ? 0 : 1;
            }
            float[][] tx = new float[train][];
            int[] ty = new int[train];
            int j = 0;
            for (int i = 0; i < y.length; i++) {
                if (fold[i] != f) {
                    tx[j] = x[i];
                    ty[j++] = y[i];
                }
            }
            TreeNode tree = Cart.fit(tx, ty, classes, params);
            for (int i = 0; i < y.length; i++) {
                if (fold[i] == f) {
                    out[i] = tree.predict(x[i]);
                }
            }
        }
        return out;
    }

    /** The fraction of images where {@code predicted} equals {@code truth}. */
    public static double agreement(int[] predicted, int[] truth) {
        int same = 0;
        for (int i = 0; i < truth.length; i++) {
            same += predicted[i] == truth[i] ? 1 : 0;
        }
        return truth.length == 0 ? 0 : same / (double) truth.length;
    }
}
