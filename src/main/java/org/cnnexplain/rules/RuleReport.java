package org.cnnexplain.rules;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fitted rules as people and programs read them: {@link #text()} (the Log window, {@code rules.txt}),
 * {@link #json()} ({@code rules.json}) and {@link #csv()} ({@code rules.csv}, every image's rule).
 * One rule per leaf, its conditions merged per channel:
 *
 * <pre>
 * 1. IF block4 ch 12 (max) &gt; 3.1 AND ch 40 ≤ 0.7 THEN mitotic   [fidelity 0.97, 142 images, coverage 24 %]
 *      ch 12 in the atlas: cell_004.tif (61, 40) 5.31 · cell_017.tif (20, 71) 5.02 · ...
 * </pre>
 * "fidelity" of a rule is the share of the images it covers that the model puts in the rule's
 * class; "coverage" the share of all images it covers. Thresholds print with 3 significant digits;
 * {@code rules.json} has them exactly.
 */
public final class RuleReport {

    /** What the rules were fitted on and how, for the heading and the JSON. */
    public record Setting(String model, String layer, String layerNode, Pooling pooling, List<String> classes,
                          Cart.Params params, int folds, long seed) {
    }

    /** Atlas rows shown per channel. */
    static final int ATLAS_TOP = 3;

    private final Setting setting;
    private final Rules rules;
    private final ActivationTable table;
    private final AtlasRows atlas;
    private final List<TreeNode> leaves;

    public RuleReport(Setting setting, Rules rules, ActivationTable table, AtlasRows atlas) {
        this.setting = setting;
        this.rules = rules;
        this.table = table;
        this.atlas = atlas;
        this.leaves = rules.tree().leaves();
    }

    /** A condition on one channel: {@code lower < value <= upper}, either side open (infinite). */
    private record Bound(int channel, double lower, double upper) {
    }

    /** Per leaf (left to right), the conditions on its path, merged per channel in order of first use. */
    List<List<Bound>> paths() {
        List<List<Bound>> out = new ArrayList<>();
        walk(rules.tree(), new LinkedHashMap<>(), out);
        return out;
    }

    private static void walk(TreeNode n, LinkedHashMap<Integer, double[]> bounds, List<List<Bound>> out) {
        if (n.isLeaf()) {
            List<Bound> path = new ArrayList<>();
            bounds.forEach((c, b) -> path.add(new Bound(c, b[0], b[1])));
            out.add(path);
            return;
        }
        double[] b = bounds.getOrDefault(n.channel(), new double[] {Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY});
        LinkedHashMap<Integer, double[]> le = copy(bounds);
        le.put(n.channel(), new double[] {b[0], Math.min(b[1], n.threshold())});
        walk(n.le(), le, out);
        LinkedHashMap<Integer, double[]> gt = copy(bounds);
        gt.put(n.channel(), new double[] {Math.max(b[0], n.threshold()), b[1]});
        walk(n.gt(), gt, out);
    }

    private static LinkedHashMap<Integer, double[]> copy(Map<Integer, double[]> m) {
        LinkedHashMap<Integer, double[]> c = new LinkedHashMap<>();
        m.forEach((k, v) -> c.put(k, v.clone()));
        return c;
    }

    /** Rule {@code i} (a leaf) as one line, without its number. */
    String rule(int i) {
        List<Bound> path = paths().get(i);
        TreeNode leaf = leaves.get(i);
        StringBuilder s = new StringBuilder(path.isEmpty() ? "ALWAYS " : "IF ");
        for (int j = 0; j < path.size(); j++) {
            Bound b = path.get(j);
            String ch = j == 0 ? setting.layer() + " ch " + b.channel() + " (" + setting.pooling().key() + ")"
                    : "ch " + b.channel();
            if (j > 0) {
                s.append(" AND ");
            }
            if (Double.isInfinite(b.lower())) {
                s.append(ch).append(" ≤ ").append(num(b.upper()));
            } else if (Double.isInfinite(b.upper())) {
                s.append(ch).append(" > ").append(num(b.lower()));
            } else {
                s.append(num(b.lower())).append(" < ").append(ch).append(" ≤ ").append(num(b.upper()));
            }
        }
        s.append(path.isEmpty() ? "" : " THEN ").append(className(leaf.label()));
        s.append(String.format(Locale.ROOT, "   [fidelity %.2f, %d images, coverage %.0f %%]", fidelity(leaf),
                leaf.size(), 100.0 * leaf.size() / table.size()));
        return s.toString();
    }

    private static double fidelity(TreeNode leaf) {
        return leaf.size() == 0 ? 0 : leaf.counts()[leaf.label()] / (double) leaf.size();
    }

    private String className(int k) {
        return k < setting.classes().size() ? setting.classes().get(k) : Integer.toString(k);
    }

    /** The whole report: heading, fidelity, the numbered rules with the atlas rows of their channels. */
    public String text() {
        Cart.Params p = setting.params();
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "Rules of %s at layer %s%s: %d channels, global %s pooling, %d images%n",
                setting.model(), setting.layer(), setting.layer().equals(setting.layerNode()) ? ""
                        : " (" + setting.layerNode() + ")", table.channels(), setting.pooling().key(), table.size()));
        s.append(String.format(Locale.ROOT, "A decision tree (CART, Gini; depth ≤ %d, ≥ %d images per rule, pruning"
                + " alpha %s) predicting the model's own class.%n", p.maxDepth(), p.minLeaf(), num(p.alpha())));
        s.append(String.format(Locale.ROOT, "Fidelity (agreement with the model): %.3f on all %d images, %.3f held out"
                + " (%d-fold, seed %d).%n%n", rules.fidelity(), table.size(), rules.heldoutFidelity(), setting.folds(),
                setting.seed()));
        List<List<Bound>> paths = paths();
        for (int i = 0; i < leaves.size(); i++) {
            s.append(i + 1).append(". ").append(rule(i)).append('\n');
            if (atlas != null) {
                for (Bound b : paths.get(i)) {
                    s.append("     ch ").append(b.channel()).append(" in the atlas: ").append(atlasLine(b.channel()))
                            .append('\n');
                }
            }
        }
        if (atlas != null && atlas.note() != null) {
            s.append("(").append(atlas.note()).append(")\n");
        }
        return s.toString();
    }

    private String atlasLine(int channel) {
        List<AtlasRows.Entry> top = atlas.top(channel, ATLAS_TOP);
        if (top.isEmpty()) {
            return "no rows";
        }
        List<String> parts = new ArrayList<>();
        for (AtlasRows.Entry e : top) {
            parts.add(e.image() + (e.slice() > 1 ? " slice " + e.slice() : "") + " (" + num(e.x()) + ", " + num(e.y())
                    + ") " + num(e.activation()));
        }
        return String.join(" · ", parts);
    }

    /**
     * {@code rules.json}: {@code fidelity}, {@code heldout_fidelity}, the setting, the tree, the rules.
     * A split node has {@code layer, channel, statistic, threshold, children} ({@code children[0]}
     * takes {@code value <= threshold}, {@code children[1]} the rest); a leaf has {@code class} and
     * {@code class_index}; every node has {@code counts} (the model's classes of the images that
     * reached it) and {@code images}.
     */
    public JsonObject json() {
        JsonObject o = new JsonObject();
        o.addProperty("fidelity", rules.fidelity());
        o.addProperty("heldout_fidelity", rules.heldoutFidelity());
        o.addProperty("model", setting.model());
        o.addProperty("layer", setting.layer());
        o.addProperty("layer_node", setting.layerNode());
        o.addProperty("statistic", setting.pooling().key());
        JsonArray classes = new JsonArray();
        setting.classes().forEach(classes::add);
        o.add("classes", classes);
        o.addProperty("images", table.size());
        o.addProperty("channels", table.channels());
        o.addProperty("depth", setting.params().maxDepth());
        o.addProperty("min_leaf", setting.params().minLeaf());
        o.addProperty("alpha", setting.params().alpha());
        o.addProperty("folds", setting.folds());
        o.addProperty("seed", setting.seed());
        o.add("tree", node(rules.tree()));
        JsonArray list = new JsonArray();
        for (int i = 0; i < leaves.size(); i++) {
            TreeNode leaf = leaves.get(i);
            JsonObject r = new JsonObject();
            r.addProperty("rule", i + 1);
            r.addProperty("text", rule(i));
            r.addProperty("class", className(leaf.label()));
            r.addProperty("images", leaf.size());
            r.addProperty("coverage", leaf.size() / (double) table.size());
            r.addProperty("fidelity", fidelity(leaf));
            list.add(r);
        }
        o.add("rules", list);
        return o;
    }

    public String jsonText() {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(json()) + "\n";
    }

    private JsonObject node(TreeNode n) {
        JsonObject o = new JsonObject();
        if (n.isLeaf()) {
            o.addProperty("class", className(n.label()));
            o.addProperty("class_index", n.label());
        } else {
            o.addProperty("layer", setting.layer());
            o.addProperty("channel", n.channel());
            o.addProperty("statistic", setting.pooling().key());
            o.addProperty("threshold", n.threshold());
        }
        JsonArray counts = new JsonArray();
        for (int c : n.counts()) {
            counts.add(c);
        }
        o.add("counts", counts);
        o.addProperty("images", n.size());
        if (!n.isLeaf()) {
            JsonArray children = new JsonArray();
            children.add(node(n.le()));
            children.add(node(n.gt()));
            o.add("children", children);
        }
        return o;
    }

    /**
     * {@code rules.csv}: per image plane, the model's class, the rule (1-based, as numbered in the
     * text) and its class, the class the tree fitted without the image's fold gives it, and the
     * pooled values of the channels the rules use ({@code ch24_max}, ...), to see how close to a
     * threshold each image is.
     */
    public String csv() {
        List<Integer> used = usedChannels();
        StringBuilder s = new StringBuilder("image,slice,model_class,rule,rule_class,heldout_class");
        for (int c : used) {
            s.append(",ch").append(c).append('_').append(setting.pooling().key());
        }
        s.append('\n');
        for (int i = 0; i < table.size(); i++) {
            ActivationTable.Row r = table.row(i);
            int leaf = leafOf(r.pooled());
            s.append(quote(r.image())).append(',').append(r.slice()).append(',').append(quote(className(r.predicted())))
                    .append(',').append(leaf + 1).append(',').append(quote(className(leaves.get(leaf).label())))
                    .append(',').append(quote(className(rules.heldout()[i])));
            for (int c : used) {
                s.append(',').append(r.pooled()[c]);
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** The channels the tree splits on, ascending. */
    List<Integer> usedChannels() {
        java.util.TreeSet<Integer> used = new java.util.TreeSet<>();
        paths().forEach(p -> p.forEach(b -> used.add(b.channel())));
        return new ArrayList<>(used);
    }

    private int leafOf(float[] x) {
        TreeNode n = rules.tree();
        while (!n.isLeaf()) {
            n = x[n.channel()] <= n.threshold() ? n.le() : n.gt();
        }
        for (int i = 0; i < leaves.size(); i++) {
            if (leaves.get(i) == n) {
                return i;
            }
        }
        throw new IllegalStateException("leaf not in the tree");
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** 3 significant digits, no exponent, no trailing zeros: 3.1, 0.00712, 1250. */
    static String num(double v) {
        if (v == 0 || !Double.isFinite(v)) {
            return v == 0 ? "0" : Double.toString(v);
        }
        return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }
}
