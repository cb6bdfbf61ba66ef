package org.cnnexplain.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.cnnexplain.UserError;
import org.junit.jupiter.api.Test;

/**
 * CART against what can be checked by hand or by brute force: the root split equals an exhaustive
 * search with the textbook weighted Gini impurity; limits, pruning and folds do what they say.
 */
class CartTest {

    /** Textbook Gini impurity of a set with these class counts: 1 − Σ p². */
    private static double gini(int[] counts) {
        double n = Arrays.stream(counts).sum();
        double g = 1;
        for (int c : counts) {
            g -= (c / n) * (c / n);
        }
        return g;
    }

    /**
     * Brute force: every channel, every threshold half-way between two neighbouring distinct values,
     * both sides ≥ minLeaf; the lowest weighted Gini impurity, on a tie the widest gap relative to
     * the channel's range (the documented tie rule), then the first.
     */
    private static double[] bestByBruteForce(float[][] x, int[] y, int classes, int minLeaf) {
        double best = Double.POSITIVE_INFINITY;
        double bestGap = -1;
        double[] arg = null;
        for (int c = 0; c < x[0].length; c++) {
            java.util.TreeSet<Float> distinct = new java.util.TreeSet<>();
            for (float[] row : x) {
                distinct.add(row[c]);
            }
            Float[] v = distinct.toArray(new Float[0]);
            double range = (double) v[v.length - 1] - v[0];
            for (int j = 1; j < v.length; j++) {
                double t = ((double) v[j - 1] + v[j]) / 2;
                double gap = ((double) v[j] - v[j - 1]) / range;
                int[] l = new int[classes];
                int[] r = new int[classes];
                for (int i = 0; i < x.length; i++) {
                    (x[i][c] <= t ? l : r)[y[i]]++;
                }
                int nl = Arrays.stream(l).sum();
                int nr = x.length - nl;
                if (nl < minLeaf || nr < minLeaf) {
                    continue;
                }
                double impurity = (nl * gini(l) + nr * gini(r)) / x.length;
                if (impurity < best - 1e-12 || Math.abs(impurity - best) <= 1e-12 && gap > bestGap) {
                    best = Math.min(best, impurity);
                    bestGap = gap;
                    arg = new double[] {c, t, impurity};
                }
            }
        }
        return arg;
    }

    /** A tree as text (records compare their count arrays by identity). */
    static String describe(TreeNode t) {
        return t.isLeaf() ? Arrays.toString(t.counts()) + "->" + t.label()
                : "(" + t.channel() + "<=" + t.threshold() + " ? " + describe(t.le()) + " : " + describe(t.gt()) + ")";
    }

    @Test
    void rootSplitIsTheBestGiniSplitOfABruteForceSearch() {
        int compared = 0;
        for (int seed = 0; seed < 20; seed++) {
            Random random = new Random(seed);
            int n = 30 + random.nextInt(30);
            int channels = 2 + random.nextInt(5);
            int classes = 2 + random.nextInt(3);
            float[][] x = new float[n][channels];
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = random.nextInt(classes);
                for (int c = 0; c < channels; c++) {
                    // channel 1 carries some class signal, the others noise
                    x[i][c] = (float) (random.nextGaussian() + (c == 1 ? y[i] : 0));
                }
            }
            int minLeaf = 1 + seed % 4;
            TreeNode tree = Cart.fit(x, y, classes, new Cart.Params(1, minLeaf, 0.0));
            double[] brute = bestByBruteForce(x, y, classes, minLeaf);
            if (tree.isLeaf()) {
                // only allowed when the best split changes no majority (pruned at alpha 0)
                continue;
            }
            int[] l = new int[classes];
            int[] r = new int[classes];
            for (int i = 0; i < n; i++) {
                (x[i][tree.channel()] <= tree.threshold() ? l : r)[y[i]]++;
            }
            double ours = (Arrays.stream(l).sum() * gini(l) + Arrays.stream(r).sum() * gini(r)) / n;
            assertEquals(brute[2], ours, 1e-12, "seed " + seed + ": impurity of our split vs the brute-force best");
            assertEquals((int) brute[0], tree.channel(), "seed " + seed + ": channel");
            assertEquals(brute[1], tree.threshold(), 0, "seed " + seed + ": threshold");
            compared++;
        }
        assertTrue(compared >= 15, "only " + compared + " of 20 data sets had a split");
    }

    @Test
    void aHandCheckedTree() {
        // class 0 where a <= 2, class 1 where a > 2 and b <= 5, class 2 where a > 2 and b > 5
        float[][] x = {{1, 9}, {2, 1}, {1.5f, 4}, {3, 1}, {4, 2}, {5, 3}, {3, 7}, {4, 8}, {6, 9}};
        int[] y = {0, 0, 0, 1, 1, 1, 2, 2, 2};
        TreeNode t = Cart.fit(x, y, 3, new Cart.Params(3, 1, 0.0));
        assertEquals(2, t.depth());
        assertEquals(3, t.leaves().size());
        // root: a <= 2.5 (half-way between 2 and 3) isolates class 0: weighted Gini 6/9 · 1/2 = 1/3,
        // against (5 · 0.48 + 4 · 0.375) / 9 = 0.433 for b <= 5
        assertEquals(0, t.channel());
        assertEquals(2.5, t.threshold());
        assertEquals(0, t.le().label());
        assertEquals(1, t.gt().channel());
        assertEquals(5.0, t.gt().threshold());   // half-way between 3 and 7
        assertEquals(1, t.gt().le().label());
        assertEquals(2, t.gt().gt().label());
        for (int i = 0; i < x.length; i++) {
            assertEquals(y[i], t.predict(x[i]));
        }
        assertEquals(1, t.predict(new float[] {2.5001f, 5}), "value <= threshold goes left");
    }

    @Test
    void ofEquallyGoodChannelsTheOneWithTheWidestGapIsNamed() {
        // both channels separate the classes perfectly; channel 1 with the wider gap
        float[][] x = {{0, 0}, {1, 1}, {2, 2}, {3, 9}, {4, 10}, {5, 11}};
        int[] y = {0, 0, 0, 1, 1, 1};
        TreeNode t = Cart.fit(x, y, 2, new Cart.Params(3, 1, 0.0));
        assertEquals(1, t.channel());
        assertEquals(5.5, t.threshold());
    }

    @Test
    void depthAndLeafSizeLimitsHold() {
        Random random = new Random(7);
        float[][] x = new float[200][4];
        int[] y = new int[200];
        for (int i = 0; i < 200; i++) {
            for (int c = 0; c < 4; c++) {
                x[i][c] = random.nextFloat();
            }
            y[i] = (x[i][0] > 0.5f ? 1 : 0) + (x[i][2] > 0.3f ? 2 : 0);   // 4 classes
        }
        for (int depth = 1; depth <= 4; depth++) {
            for (int minLeaf : new int[] {1, 10, 40}) {
                TreeNode t = Cart.fit(x, y, 4, new Cart.Params(depth, minLeaf, 0.0));
                assertTrue(t.depth() <= depth, "depth " + t.depth() + " > " + depth);
                for (TreeNode leaf : t.leaves()) {
                    assertTrue(leaf.size() >= minLeaf, "leaf of " + leaf.size() + " < " + minLeaf);
                }
            }
        }
        TreeNode two = Cart.fit(x, y, 4, new Cart.Params(2, 1, 0.0));
        int right = 0;
        for (int i = 0; i < 200; i++) {
            right += two.predict(x[i]) == y[i] ? 1 : 0;
        }
        assertEquals(200, right, "two thresholds explain this data exactly");
        assertEquals(describe(Cart.fit(x, y, 4, new Cart.Params(3, 5, 0.0))),
                describe(Cart.fit(x, y, 4, new Cart.Params(3, 5, 0.0))), "deterministic");
    }

    /**
     * 100 images: a split sets 3 of them right (class 1 among class 0). Its cost per extra leaf is
     * 3 / 100 = 0.03: kept for alpha 0.02, cut for alpha 0.04. A split after which both sides still
     * predict class 0 sets nothing right: cut already at alpha 0.
     */
    @Test
    void costComplexityPruningCutsExactlyTheWeakLinks() {
        float[][] x = new float[100][1];
        int[] y = new int[100];
        for (int i = 0; i < 100; i++) {
            x[i][0] = i;
            y[i] = i >= 97 ? 1 : 0;   // 97, 98, 99 are class 1
        }
        Cart.Params keep = new Cart.Params(1, 3, 0.02);
        Cart.Params cut = new Cart.Params(1, 3, 0.04);
        TreeNode kept = Cart.fit(x, y, 2, keep);
        assertTrue(!kept.isLeaf() && kept.threshold() == 96.5 && kept.gt().label() == 1,
                "the split setting 3 images right is kept at alpha 0.02: " + describe(kept));
        assertTrue(Cart.fit(x, y, 2, cut).isLeaf(), "and cut at alpha 0.04");
        // min leaf 10: the best split (89.5) leaves 3 of 10 class 1 on its side, both sides class 0: cut at alpha 0
        assertTrue(Cart.fit(x, y, 2, new Cart.Params(1, 10, 0.0)).isLeaf());
        assertTrue(!Cart.fit(x, y, 2, new Cart.Params(1, 3, 0.0)).isLeaf());
    }

    @Test
    void foldsAreStratifiedAndSeeded() {
        int[] y = new int[103];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 7 == 0 ? 2 : i % 3 == 0 ? 1 : 0;
        }
        int[] a = CrossValidation.folds(y, 3, 5, 1);
        assertTrue(Arrays.equals(a, CrossValidation.folds(y, 3, 5, 1)));
        assertNotEquals(Arrays.toString(a), Arrays.toString(CrossValidation.folds(y, 3, 5, 2)));
        for (int c = 0; c < 3; c++) {
            int[] perFold = new int[5];
            for (int i = 0; i < y.length; i++) {
                if (y[i] == c) {
                    perFold[a[i]]++;
                }
            }
            int min = Arrays.stream(perFold).min().orElseThrow();
            int max = Arrays.stream(perFold).max().orElseThrow();
            assertTrue(max - min <= 1, "class " + c + " per fold " + Arrays.toString(perFold));
        }
        assertThrows(UserError.class, () -> CrossValidation.folds(y, 3, 1, 0));
        assertThrows(UserError.class, () -> CrossValidation.folds(new int[3], 1, 5, 0));
        assertThrows(UserError.class, () -> new Cart.Params(0, 5, 0));
        assertThrows(UserError.class, () -> new Cart.Params(3, 0, 0));
        assertThrows(UserError.class, () -> new Cart.Params(3, 5, -1));
    }
}
