package org.cnnexplain.rules;

import java.util.Arrays;
import java.util.Comparator;
import org.cnnexplain.UserError;

/**
 * CART classification trees (Breiman et al. 1984): binary splits {@code x[channel] <= threshold}
 * chosen by the largest decrease of Gini impurity, grown to {@link Params#maxDepth} with at
 * least {@link Params#minLeaf} images per leaf, then pruned by minimal cost-complexity.
 *
 * <p>Written here rather than taken from a library: the one well-kept Java library with CART on
 * Maven Central, Smile, is GPL-3.0 (newer versions need Java 21+) and brings a large dependency
 * for some 150 lines; and the exact rules below (threshold placement, tie breaks, pruning) must be
 * known to re-apply a tree elsewhere (our NumPy re-implementation does).
 *
 * <ul>
 * <li>Thresholds lie half-way between two neighbouring distinct values (in double precision, where
 *     the half-way point of two floats is exact), so a tree applied to the same values by anyone
 *     sends every image the same way.</li>
 * <li>Deterministic: among equally good splits (same Gini decrease) the one with the widest gap
 *     wins — the empty stretch between the two values around the threshold, as a fraction of the
 *     channel's range at that node — so of many channels that separate the classes the clearest is
 *     named, not the first; on equal gaps the lowest channel, then the lowest threshold.
 *     A leaf's class is the majority, the lowest class index on a tie.</li>
 * <li>Pruning: the cost of a subtree is its training disagreement (images misclassified, as a
 *     fraction of all images) plus {@code alpha} per leaf; the weakest links are cut while cutting
 *     them costs at most {@code alpha}. With {@code alpha = 0} only splits that correct no image are
 *     cut (both sides predicting the same class), so every rule printed is one that matters.</li>
 * </ul>
 *
 * <pre>{@code
 * TreeNode tree = Cart.fit(x, y, 4, new Cart.Params(3, 5, 0.0));   // x: images × channels, y: classes
 * }</pre>
 */
public final class Cart {

    /** Relative tolerance under which two split scores count as equal (then the earlier split wins). */
    private static final double TIE = 1e-12;

    /**
     * @param maxDepth splits on the longest path (1 or more)
     * @param minLeaf  fewest training images a leaf may hold (1 or more)
     * @param alpha    cost-complexity pruning: the disagreement (fraction of all images) a leaf must
     *                 remove to be kept; 0 cuts only splits that change nothing
     */
    public record Params(int maxDepth, int minLeaf, double alpha) {
        public static final Params DEFAULT = new Params(3, 5, 0.0);

        public Params {
            if (maxDepth < 1) {
                throw new UserError("depth must be 1 or more, got " + maxDepth);
            }
            if (minLeaf < 1) {
                throw new UserError("minimum leaf size must be 1 or more, got " + minLeaf);
            }
            if (!(alpha >= 0) || Double.isInfinite(alpha)) {
                throw new UserError("pruning alpha must be 0 or more, got " + alpha);
            }
        }
    }

    private Cart() {
    }

    /**
     * Fits a tree predicting {@code y[i]} (0 ≤ y &lt; classes) from {@code x[i]}.
     *
     * @param x one row of channel values per image, all of the same length
     */
    public static TreeNode fit(float[][] x, int[] y, int classes, Params params) {
        if (x.length == 0) {
            throw new UserError("no images to fit rules on");
        }
        int[] all = new int[x.length];
        Arrays.setAll(all, i -> i);
        TreeNode grown = grow(x, y, classes, all, params, 0);
        return prune(grown, params.alpha, x.length);
    }

    private static TreeNode grow(float[][] x, int[] y, int classes, int[] idx, Params p, int depth) {
        int[] counts = counts(y, idx, classes);
        TreeNode leaf = TreeNode.leaf(counts);
        if (depth >= p.maxDepth || idx.length < 2 * p.minLeaf || leaf.errors() == 0) {
            return leaf;
        }
        Split s = bestSplit(x, y, classes, idx, p.minLeaf, purity(counts, idx.length));
        if (s == null) {
            return leaf;
        }
        int nl = 0;
        for (int i : idx) {
            nl += x[i][s.channel] <= s.threshold ? 1 : 0;
        }
        int[] left = new int[nl];
        int[] right = new int[idx.length - nl];
        int a = 0;
        int b = 0;
        for (int i : idx) {
            if (x[i][s.channel] <= s.threshold) {
                left[a++] = i;
            } else {
                right[b++] = i;
            }
        }
        return new TreeNode(s.channel, s.threshold, grow(x, y, classes, left, p, depth + 1),
                grow(x, y, classes, right, p, depth + 1), counts, leaf.label());
    }

    /** A split and its gap: the empty stretch around the threshold as a fraction of the channel's range at the node. */
    private record Split(int channel, double threshold, double gap) {
    }

    /**
     * The split with the largest {@code Σ_k l_k²/n_l + Σ_k r_k²/n_r} (equivalently the lowest
     * size-weighted Gini impurity of the two sides), if it beats the node's own purity.
     */
    static Split bestSplit(float[][] x, int[] y, int classes, int[] idx, int minLeaf, double parent) {
        int n = idx.length;
        Integer[] order = new Integer[n];
        Split best = null;
        double bar = parent;
        long[] left = new long[classes];
        long[] total = new long[classes];
        for (int i : idx) {
            total[y[i]]++;
        }
        for (int c = 0; c < x[idx[0]].length; c++) {
            final int ch = c;
            for (int j = 0; j < n; j++) {
                order[j] = idx[j];
            }
            Arrays.sort(order, Comparator.comparingDouble((Integer i) -> x[i][ch]).thenComparingInt(i -> i));
            Arrays.fill(left, 0);
            double range = (double) x[order[n - 1]][c] - x[order[0]][c];
            for (int j = 1; j < n; j++) {
                left[y[order[j - 1]]]++;
                float lo = x[order[j - 1]][c];
                float hi = x[order[j]][c];
                if (j < minLeaf || n - j < minLeaf || !(lo < hi)) {
                    continue;
                }
                long sl = 0;
                long sr = 0;
                for (int k = 0; k < classes; k++) {
                    sl += left[k] * left[k];
                    long r = total[k] - left[k];
                    sr += r * r;
                }
                double score = (double) sl / j + (double) sr / (n - j);
                double gap = ((double) hi - lo) / range;
                boolean tie = best != null && Math.abs(score - bar) <= TIE * Math.abs(bar);
                if (score > bar + TIE * Math.abs(bar) || tie && gap > best.gap) {
                    bar = Math.max(bar, score);
                    best = new Split(c, ((double) lo + (double) hi) / 2, gap);
                }
            }
        }
        return best;
    }

    /** {@code Σ_k c_k² / n}: higher is purer; a split must beat it. */
    private static double purity(int[] counts, int n) {
        long s = 0;
        for (int c : counts) {
            s += (long) c * c;
        }
        return (double) s / n;
    }

    static int[] counts(int[] y, int[] idx, int classes) {
        int[] counts = new int[classes];
        for (int i : idx) {
            counts[y[i]]++;
        }
        return counts;
    }

    /** Minimal cost-complexity pruning: cut the weakest links while their cost per leaf is at most {@code alpha}. */
    static TreeNode prune(TreeNode tree, double alpha, int n) {
        while (!tree.isLeaf()) {
            double weakest = weakest(tree, n);
            if (weakest > alpha + TIE) {
                return tree;
            }
            tree = cut(tree, weakest, n);
        }
        return tree;
    }

    /** The smallest {@code g(t) = (R(t) − R(T_t)) / (leaves(T_t) − 1)} over the inner nodes. */
    private static double weakest(TreeNode t, int n) {
        if (t.isLeaf()) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.min(g(t, n), Math.min(weakest(t.le(), n), weakest(t.gt(), n)));
    }

    private static double g(TreeNode t, int n) {
        Subtree s = subtree(t);
        return (t.errors() - s.errors) / (double) n / (s.leaves - 1);
    }

    private record Subtree(int errors, int leaves) {
    }

    private static Subtree subtree(TreeNode t) {
        int errors = 0;
        int leaves = 0;
        for (TreeNode l : t.leaves()) {
            errors += l.errors();
            leaves++;
        }
        return new Subtree(errors, leaves);
    }

    private static TreeNode cut(TreeNode t, double weakest, int n) {
        if (t.isLeaf()) {
            return t;
        }
        if (g(t, n) <= weakest + TIE) {
            return TreeNode.leaf(t.counts());
        }
        return new TreeNode(t.channel(), t.threshold(), cut(t.le(), weakest, n), cut(t.gt(), weakest, n), t.counts(),
                t.label());
    }
}
