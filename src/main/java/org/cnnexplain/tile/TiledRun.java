package org.cnnexplain.tile;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.Deconvnet;
import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.explain.Explainer;
import org.cnnexplain.explain.Explanation;
import org.cnnexplain.explain.MapStack;
import org.cnnexplain.explain.Target;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Prediction;

/**
 * A classifier run over a whole field, tile by tile ({@code fit=tile}): the tiles of a
 * {@link TileGrid} are cut from the normalised image and go through the model {@link #BATCH} at a
 * time, each batch in its own run manager (so memory stays that of one batch plus the full-size
 * sums), with progress and a chance to cancel after every batch. Each tile is explained by the
 * same code as a single image ({@link Explainer#runEach}) and the maps are blended by a
 * {@link Stitcher}; the tiles' class probabilities make a {@link ClassMap}.
 *
 * <p>{@code target=top1} means one class for the whole field, the class predicted on most tiles:
 * a first, forward-only pass over the tiles finds it (and makes the class map), then the tiles are
 * explained for it. A named class needs one pass. Deconvnet projects the target class on every
 * tile ({@code signal=class}): a tile's strongest neurons are its own, and would not blend.
 *
 * <pre>{@code
 * TileGrid g = TiledRun.grid(model, 1024, 1024, 0);          // 128-px tiles, stride 64
 * TiledRun.Result r = TiledRun.explain(model, field, g, request, TiledRun.Listener.NONE);
 * r.maps().get(0).inputMaps();   // 1024 x 1024 Grad-CAM
 * r.classMap().plane(1);         // 1024 x 1024 probability of class 1
 * }</pre>
 */
public final class TiledRun {

    /** Tiles per forward pass. */
    public static final int BATCH = 8;

    private TiledRun() {
    }

    /**
     * An image to tile: {@code channels} planes of {@code width} × {@code height}, channel-major, its
     * channels already mapped to the model's. A classifier's sample is a tile, so {@code perTile}
     * normalises each tile as the model's spec says, exactly as a training image was (a field-wide
     * percentile would be set by its brightest cells and dim the others); null when the pixels are
     * normalised already (over the whole field).
     */
    public record Field(float[] pixels, int channels, int width, int height, Normalization perTile) {
    }

    /** Told after every batch; asked whether to stop. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        default void tiles(int done, int total) {
        }

        default boolean cancelled() {
            return false;
        }
    }

    /**
     * What a tiled explanation gave.
     *
     * @param classMap the tiles' class probabilities
     * @param maps     the stitched maps, one per result of the method (Grad-CAM, then Guided Grad-CAM), at field size
     * @param target   the explained class
     * @param how      for titles and logs, e.g. "tiled: 15 x 15 tiles of 128 x 128 px, stride 64; target top1 = mitotic (most tiles: 83 of 225)"
     */
    public record Result(ClassMap classMap, List<Explanation> maps, int target, String how) {
    }

    /** The grid for this model over a {@code width} × {@code height} image; {@code stride} 0 means half the tile. */
    public static TileGrid grid(ExplainableModel m, int width, int height, int stride) {
        if (m.isVolumetric()) {
            throw new UserError("fit=tile is for 2-D models; " + m.path().getFileName() + " takes z-stacks");
        }
        int[] tile = m.fixedSize();
        if (tile == null) {
            long[] s = m.referenceShape();
            tile = new int[] {(int) s[s.length - 1], (int) s[s.length - 2]};
        }
        if (stride < 0) {
            throw new UserError("stride must be 0 (half the tile) or more, got " + stride);
        }
        int sx = stride == 0 ? Math.max(1, tile[0] / 2) : stride;
        int sy = stride == 0 ? Math.max(1, tile[1] / 2) : stride;
        return TileGrid.of(width, height, tile[0], tile[1], sx, sy);
    }

    /** The class probabilities of every tile (one forward pass each); null when cancelled. */
    public static ClassMap classify(ExplainableModel m, Field f, TileGrid g, Listener l) {
        checkClassifier(m);
        ClassMap map = new ClassMap(g, m.classNames());
        boolean done = forEachBatch(m, f, g, l, 0, 1, (run, x, from) -> {
            NDArray logits = m.logits(run, x);
            setProbabilities(m, run, map, from, logits.reshape(logits.getShape().get(0), -1).toFloatArray());
        });
        return done ? map : null;
    }

    /** The stitched explanation of a field and its class map; null when cancelled. */
    public static Result explain(ExplainableModel m, Field f, TileGrid g, ExplainRequest request, Listener l) {
        checkClassifier(m);
        ExplainRequest r = request;
        String note = "";
        if (r.method() == ExplainRequest.Method.DECONVNET && r.signal() != Deconvnet.Signal.CLASS) {
            r = r.withSignal(Deconvnet.Signal.CLASS);
            note = "; Deconvnet projects the target class on every tile (signal=class)";
        }
        if (r.method() == ExplainRequest.Method.FEATUREMAPS && !"none".equalsIgnoreCase(r.sort())) {
            throw new UserError("fit=tile stitches the same channels of every tile, so it cannot sort them per tile:"
                    + " use sort=none (with channels or top to choose them)");
        }
        List<String> names = m.classNames();
        int target = Target.parse(r.target(), r.score()).classIndex(names.size(), names);
        ClassMap classes = null;
        int passes = target < 0 ? 2 : 1;
        String which;
        if (target < 0) {
            classes = new ClassMap(g, names);
            ClassMap cm = classes;
            if (!forEachBatch(m, f, g, l, 0, passes, (run, x, from) -> {
                NDArray logits = m.logits(run, x);
                setProbabilities(m, run, cm, from, logits.reshape(logits.getShape().get(0), -1).toFloatArray());
            })) {
                return null;
            }
            target = classes.majority();
            which = String.format(Locale.ROOT, "target top1 = %s (predicted on most tiles: %d of %d)",
                    names.get(target), classes.votes()[target], g.tiles());
        } else {
            which = "target " + names.get(target);
        }
        ExplainRequest fixed = r.withTarget(Integer.toString(target));
        ClassMap map = classes != null ? classes : new ClassMap(g, names);
        boolean needProbabilities = classes == null;
        List<Stitcher> stitchers = new ArrayList<>();
        List<Explanation> firsts = new ArrayList<>();
        boolean done = forEachBatch(m, f, g, l, passes - 1, passes, (run, x, from) -> {
            List<List<Explanation>> each = Explainer.runEach(m, run, x, fixed);
            if (needProbabilities) {
                float[] scores = scores(each);
                if (scores == null) {
                    NDArray logits = m.logits(run, x);
                    scores = logits.reshape(logits.getShape().get(0), -1).toFloatArray();
                }
                setProbabilities(m, run, map, from, scores);
            }
            for (int i = 0; i < each.size(); i++) {
                List<Explanation> tile = each.get(i);
                for (int k = 0; k < tile.size(); k++) {
                    if (stitchers.size() <= k) {
                        stitchers.add(new Stitcher(g));
                        firsts.add(tile.get(k));
                    }
                    stitchers.get(k).add(from + i, tile.get(k).inputMaps());
                }
            }
        });
        if (!done) {
            return null;
        }
        String how = "tiled: " + g.describe() + "; " + which + note;
        List<Explanation> maps = new ArrayList<>();
        for (int k = 0; k < stitchers.size(); k++) {
            Explanation e = firsts.get(k);
            List<String> labels = new ArrayList<>();
            for (String label : e.inputMaps().labels()) {
                // per-tile statistics ("channel 7 (mean 0.41, ...)") describe one tile, not the field
                labels.add(e.key().equals("featuremaps") ? label.replaceFirst(" \\(.*\\)$", "") : label);
            }
            int planes = e.inputMaps().planes();
            while (labels.size() < planes) {
                labels.add(labels.get(labels.size() - 1));
            }
            MapStack whole = stitchers.get(k).result(labels.subList(0, planes));
            stitchers.set(k, null);
            maps.add(new Explanation(e.key(), e.title() + " [" + how + "]", whole, null));
        }
        return new Result(map, maps, target, how);
    }

    /**
     * A per-pixel model's probabilities (softmax over the classes, or sigmoid) over a whole field.
     *
     * @param data    K planes of width × height
     * @param halo    the receptive field the tiles were grown by
     * @param how     for logs, e.g. "tiled: 3 x 2 tiles of 128 x 128 px, halo 24"
     */
    public record Outputs(float[] data, int classes, int width, int height, Halo halo, String how) {
    }

    /**
     * Runs a per-pixel model (a U-Net) over a field in tiles with a halo: each tile is grown by the
     * model's receptive field ({@link Halo}) on every side that is not the image's border, run, and
     * only its middle kept ({@link TileGrid#halo}), so the assembled output is the one a run on the
     * whole image would give (when the image's size is one the model takes as it is), at the memory of
     * one batch of tiles. {@code tile} is the tile size (0: the model's fixed size, else its default
     * size); the field must be normalised already (over the whole field). Null when cancelled.
     */
    public static Outputs segment(ExplainableModel m, Field f, int tile, Listener l) {
        HaloPlan plan = HaloPlan.of(m, tile);
        TileGrid g = plan.grid(f.width(), f.height());
        float[] out = perPixel(m, f, g, l, 0, 1, true);
        return out == null ? null : new Outputs(out, m.classNames().size(), f.width(), f.height(), plan.halo(),
                plan.describe(g));
    }

    /**
     * How a per-pixel model's field is tiled: tiles of {@code tileW} × {@code tileH} grown by {@code used}
     * pixels of halo — the halo its package declares ({@code declared}, else null), or the model's
     * receptive field ({@code halo}) — rounded up to its coarsest stride and capped at a quarter of the tile
     * ({@code capped} then says so, for the log).
     */
    record HaloPlan(int tileW, int tileH, Halo halo, Integer declared, int used, String capped) {

        /** The plan for {@code m} with tiles of {@code tile} px (0: the model's fixed size, else its default size). */
        static HaloPlan of(ExplainableModel m, int tile) {
            if (!m.hasSpatialOutput()) {
                throw new UserError("a halo is for models with a per-pixel output; " + m.path().getFileName()
                        + " classifies whole images (its tiles get a class map instead)");
            }
            if (m.isVolumetric()) {
                throw new UserError("fit=tile is for 2-D models; " + m.path().getFileName() + " takes z-stacks");
            }
            int[] fixed = m.fixedSize();
            long[] ref = m.referenceShape();
            int tw = fixed != null ? fixed[0] : tile > 0 ? tile : (int) ref[3];
            int th = fixed != null ? fixed[1] : tile > 0 ? tile : (int) ref[2];
            Halo halo = Halo.of(m, m.shapeFor(th, tw));
            Integer declared = m.spec() != null ? m.spec().halo() : null;
            int h = declared != null ? (declared + halo.stride() - 1) / halo.stride() * halo.stride() : halo.halo();
            String capped = "";
            int most = Math.min(tw, th) / 4 / halo.stride() * halo.stride();
            if (h > most) {
                // a receptive field that leaves less than half of each tile would cost many times the work;
                // its outer taps weigh little, so a quarter of the tile is close (not exact) where tiles meet
                capped = ", less than the " + (declared != null ? "package's halo (" + declared : "receptive field ("
                        + halo.reach()) + " px): outputs near tile edges may differ slightly from a run on the whole"
                        + " image";
                h = most;
            }
            if (Math.min(tw, th) - 2 * h < halo.stride()) {
                throw new UserError("tiles of " + tw + " x " + th + " px leave nothing inside the halo of " + h
                        + " px: use larger tiles, or run the image whole (fit=error)");
            }
            return new HaloPlan(tw, th, halo, declared, h, capped);
        }

        TileGrid grid(int width, int height) {
            return TileGrid.halo(width, height, tileW, tileH, used);
        }

        /** Whether the halo covers the receptive field, so that the tiles give what the whole image would. */
        boolean exact() {
            return capped.isEmpty() && used >= halo.reach();
        }

        /**
         * "tiled: 30 tiles of 64 x 64 px, halo 16 px (receptive field 15 px)", or with a package's halo "...,
         * halo 32 px (the package's)" and, when it is less than the receptive field, that the output may differ.
         */
        String describe(TileGrid g) {
            String why;
            if (!capped.isEmpty()) {
                why = capped;
            } else if (declared == null) {
                why = " (receptive field " + halo.reach() + " px)";
            } else {
                why = " (the package's" + (used == declared ? "" : " " + declared + " px, rounded up to the network's"
                        + " stride " + halo.stride()) + ")" + (used >= halo.reach() ? "" : "; the receptive field is "
                        + halo.reach() + " px: outputs near tile edges may differ slightly from a run on the whole image");
            }
            return "tiled: " + g.tiles() + " tiles of " + tileW + " x " + tileH + " px, halo " + used + " px" + why;
        }
    }

    /**
     * The model's output over the field, K planes of width × height, each tile's middle kept: the
     * probabilities, or with {@code probabilities} false the raw outputs. Null when cancelled.
     */
    static float[] perPixel(ExplainableModel m, Field f, TileGrid g, Listener l, int pass, int passes,
                            boolean probabilities) {
        int k = m.classNames().size();
        long plane = (long) f.width() * f.height();
        org.cnnexplain.image.ImageLimits.check(f.width(), f.height(), k, 1);
        float[] out = new float[(int) (k * plane)];
        int tile = g.tileW() * g.tileH();
        boolean done = forEachBatch(m, f, g, l, pass, passes, (run, x, from) -> {
            NDArray logits = m.logits(run, x);
            float[] p = (probabilities ? Prediction.probabilities(logits, m.activation(logits)) : logits)
                    .toFloatArray();
            int n = (int) logits.getShape().get(0);
            for (int i = 0; i < n; i++) {
                keep(g, from + i, p, i * k * tile, k, out);
            }
        });
        return done ? out : null;
    }

    /** Tile {@code t}'s middle (its share of the field) from {@code p} (K × tileH × tileW from {@code offset}) into {@code out}. */
    private static void keep(TileGrid g, int t, float[] p, int offset, int k, float[] out) {
        int[] core = core(g, t);
        int x0 = core[0];
        int y0 = core[1];
        int x1 = core[2];
        int y1 = core[3];
        int ox = g.originX(t % g.nx());
        int oy = g.originY(t / g.nx());
        int tile = g.tileW() * g.tileH();
        for (int c = 0; c < k; c++) {
            for (int y = y0; y < y1; y++) {
                System.arraycopy(p, offset + c * tile + (y - oy) * g.tileW() + x0 - ox, out,
                        (c * g.height() + y) * g.width() + x0, x1 - x0);
            }
        }
    }

    /**
     * The part of the field tile {@code t} of a halo grid ({@link TileGrid#halo}) keeps, {x0, y0, x1, y1}
     * (end exclusive): the cores of all tiles partition the field.
     */
    static int[] core(TileGrid g, int t) {
        int ix = t % g.nx();
        int iy = t / g.nx();
        int x0 = g.nx() == 1 ? 0 : ix * g.strideX();
        int x1 = g.nx() == 1 ? g.width() : Math.min(g.width(), (ix + 1) * g.strideX());
        int y0 = g.ny() == 1 ? 0 : iy * g.strideY();
        int y1 = g.ny() == 1 ? g.height() : Math.min(g.height(), (iy + 1) * g.strideY());
        return new int[] {x0, y0, x1, y1};
    }

    private static void checkClassifier(ExplainableModel m) {
        if (m.hasSpatialOutput()) {
            throw new UserError("a class map and stitched maps are for classifiers; " + m.path().getFileName()
                    + " has a per-pixel output: Predict with fit=tile gives its output over the whole image, and"
                    + " Grad-CAM with fit=tile its Seg-Grad-CAM (TiledSegCam)");
        }
    }

    /** Every sample's scores of a batched pass, N x K, or null when the method made none. */
    private static float[] scores(List<List<Explanation>> each) {
        int k = -1;
        float[] out = null;
        for (int i = 0; i < each.size(); i++) {
            float[] s = each.get(i).get(0).scores();
            if (s == null) {
                return null;
            }
            if (out == null) {
                k = s.length;
                out = new float[each.size() * k];
            }
            System.arraycopy(s, 0, out, i * k, k);
        }
        return out;
    }

    private static void setProbabilities(ExplainableModel m, NDManager run, ClassMap map, int from, float[] scores) {
        int k = map.classes().size();
        int n = scores.length / k;
        NDArray s = Tensors.of(run, scores, new Shape(n, k));
        float[] p = Prediction.probabilities(s, m.activation(s)).toFloatArray();
        for (int i = 0; i < n; i++) {
            map.set(from + i, java.util.Arrays.copyOfRange(p, i * k, (i + 1) * k));
        }
    }

    /** What is done with one batch: {@code x} holds tiles {@code from} to {@code from + N}. */
    @FunctionalInterface
    interface BatchWork {
        void accept(NDManager run, NDArray x, int from);
    }

    /**
     * Runs {@code work} on every batch of tiles, each in its own run; progress counts pass
     * {@code pass} of {@code passes}. False when the listener cancelled.
     */
    static boolean forEachBatch(ExplainableModel m, Field f, TileGrid g, Listener l, int pass, int passes,
                                        BatchWork work) {
        int total = g.tiles() * passes;
        int per = f.channels() * g.tileW() * g.tileH();
        for (int from = 0; from < g.tiles(); from += BATCH) {
            if (l.cancelled()) {
                return false;
            }
            int n = Math.min(BATCH, g.tiles() - from);
            float[] data = new float[n * per];
            for (int i = 0; i < n; i++) {
                g.cut(f.pixels(), f.channels(), from + i, data, i * per);
                if (f.perTile() != null) {
                    f.perTile().apply(data, i * per, f.channels(), g.tileW() * g.tileH());
                }
            }
            try (NDManager run = m.newRun()) {
                work.accept(run, Tensors.of(run, data, new Shape(n, f.channels(), g.tileH(), g.tileW())), from);
            }
            l.tiles(pass * g.tiles() + from + n, total);
        }
        return !l.cancelled();
    }
}
