package org.cnnexplain.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * One node of a decision tree on pooled channel activations: a split ({@code channel},
 * {@code threshold}; images with {@code value <= threshold} go to {@code le}, the others to
 * {@code gt}) or a leaf ({@code le == gt == null}). Every node keeps the model's classes of the
 * training images that reached it ({@code counts}) and its majority class ({@code label}, the
 * lowest index on a tie), so a pruned subtree becomes a leaf without the data.
 *
 * <pre>{@code
 * TreeNode t = Cart.fit(x, y, 4, Cart.Params.DEFAULT);
 * t.predict(new float[] {0.2f, 3.4f});   // class index
 * }</pre>
 */
public record TreeNode(int channel, double threshold, TreeNode le, TreeNode gt, int[] counts, int label) {

    static TreeNode leaf(int[] counts) {
        return new TreeNode(-1, Double.NaN, null, null, counts, majority(counts));
    }

    public boolean isLeaf() {
        return le == null;
    }

    /** Training images that reached this node. */
    public int size() {
        int n = 0;
        for (int c : counts) {
            n += c;
        }
        return n;
    }

    /** Training images here whose class is not this node's label. */
    int errors() {
        return size() - counts[label];
    }

    public int predict(float[] x) {
        TreeNode n = this;
        while (!n.isLeaf()) {
            n = x[n.channel] <= n.threshold ? n.le : n.gt;
        }
        return n.label;
    }

    /** The leaves left to right ({@code le} before {@code gt}). */
    public List<TreeNode> leaves() {
        List<TreeNode> out = new ArrayList<>();
        collect(this, out);
        return out;
    }

    private static void collect(TreeNode n, List<TreeNode> out) {
        if (n.isLeaf()) {
            out.add(n);
        } else {
            collect(n.le, out);
            collect(n.gt, out);
        }
    }

    /** Longest root-to-leaf path in splits (0 for a single leaf). */
    public int depth() {
        return isLeaf() ? 0 : 1 + Math.max(le.depth(), gt.depth());
    }

    static int majority(int[] counts) {
        int best = 0;
        for (int k = 1; k < counts.length; k++) {
            if (counts[k] > counts[best]) {
                best = k;
            }
        }
        return best;
    }
}
