package org.cnnexplain.tile;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.CamMethod;
import org.cnnexplain.explain.CamResult;
import org.cnnexplain.explain.CamVariants;
import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.explain.Explainer;
import org.cnnexplain.explain.Explanation;
import org.cnnexplain.explain.LayerChoice;
import org.cnnexplain.explain.LayerGradients;
import org.cnnexplain.explain.MapStack;
import org.cnnexplain.explain.Region;
import org.cnnexplain.explain.ScoreCam;
import org.cnnexplain.explain.SmoothGradCamPlusPlus;
import org.cnnexplain.explain.Target;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;
import org.cnnexplain.model.ModelSpec.Activation;

/**
 * Seg-Grad-CAM of a per-pixel model (a U-Net of a fixed size) over a field larger than the model,
 * exactly as if the model had run on the whole field.
 *
 * <p>The target y = Σ_{q ∈ M} out_c(q) sums over the whole field (M the region, else the pixels
 * predicted as c; {@code top1} the dominant class of the field), so it is not a tile's quantity. Two
 * passes over the tiles grown by the model's halo ({@link TiledRun.HaloPlan}):
 * <ol>
 *   <li>the field's output (each tile's core), which gives c and M;</li>
 *   <li>per batch of tiles, forward and backward with tile t's target = Σ over M ∩ core(t) of out_c.
 *       The cores partition the field, so y = Σ_t y_t and dy/dA = Σ_t dy_t/dA: each tile's gradient is
 *       added to a field-size buffer at the layer's resolution over the tile's whole extent (halo
 *       included), while the activations A are taken from each tile's core only. With a halo at least the
 *       receptive field every core output's dependency cone lies inside its tile and is computed with
 *       the context the whole field gives it, so both are the whole field's A and dy/dA.</li>
 * </ol>
 * The method's own weighting then runs on the assembled A and dy/dA ({@link CamMethod#fromLayer}), so
 * Grad-CAM, Grad-CAM++, XGrad-CAM, HiResCAM, LayerCAM and Eigen-CAM are all exact. Score-CAM, which runs
 * the model on the whole masked field, is refused. A field whose sides are not multiples of the
 * model's coarsest stride (or smaller than a tile) is mirrored out at the bottom and right first, the
 * target summed inside the image only, and the maps cropped back, as {@link Explainer#run} does
 * with an image a model takes only in multiples.
 *
 * <pre>{@code
 * TiledRun.Field f = new TiledRun.Field(pixels, 1, 192, 160, null);   // normalised over the field
 * TiledRun.Result r = TiledSegCam.explain(unet64, f, request, TiledRun.Listener.NONE);
 * r.maps().get(0).inputMaps();   // 192 x 160 Grad-CAM of the field
 * r.maps().get(0).layerMaps();   // at the layer's resolution
 * }</pre>
 */
public final class TiledSegCam {

    /** The most the field's layer activations and gradients may take together. */
    static final long BUDGET = 1L << 30;

    private TiledSegCam() {
    }

    /**
     * The map of {@code f} (normalised over the whole field) for {@code request}, a Grad-CAM-family
     * request whose region, if any, covers the field; null when cancelled.
     */
    public static TiledRun.Result explain(ExplainableModel m, TiledRun.Field f, ExplainRequest request,
                                          TiledRun.Listener l) {
        CamMethod method = check(m, request);
        TiledRun.HaloPlan plan = TiledRun.HaloPlan.of(m, 0);
        int stride = plan.halo().stride();
        int w = f.width();
        int h = f.height();
        int pw = Math.max(plan.tileW(), ceil(w, stride));
        int ph = Math.max(plan.tileH(), ceil(h, stride));
        TiledRun.Field field = pw == w && ph == h ? f : mirrored(f, pw, ph);
        Target target = request.targetScore();
        Region region = target.region();
        if (region != null && (region.width() != w || region.height() != h)) {
            throw new IllegalArgumentException("the region must cover the field");
        }
        if (pw != w || ph != h) {
            target = target.within((region != null ? region : Region.image(w, h)).grownTo(pw, ph));
        }
        TileGrid g = plan.grid(pw, ph);
        Layer layer = LayerChoice.spatial(m, request.layer(), method.title(), m.shapeFor(plan.tileH(), plan.tileW()));
        Geometry geo = Geometry.of(layer, plan, pw, ph, g);
        List<String> names = m.classNames();
        int k = names.size();
        Activation activation = m.activation(k);
        // the field's output is needed for top1 and for the pixels predicted as c; an ROI with a named class is not
        boolean firstPass = target.classIndex(k, names) < 0 || target.region() == null || target.region().bounds();
        int passes = firstPass ? 2 : 1;
        Summed s = Summed.of(m, field, g, l, passes, target, activation);
        if (s == null) {
            return null;
        }
        int cls = s.cls();
        boolean[] summed = s.pixels();
        float[] a = new float[geo.channels * geo.positions()];
        float[] grad = method.needsGradients() ? new float[a.length] : null;
        Target fixed = target.withClass(cls);
        int c = cls;
        boolean done = TiledRun.forEachBatch(m, field, g, l, passes - 1, passes, (run, x, from) -> {
            int n = (int) x.getShape().get(0);
            LayerGradients lg = grad == null
                    ? new LayerGradients(m.forward(run, x, List.of(layer.output())).tap(layer.output()), null, null, null)
                    : LayerGradients.compute(m, run, x, layer, logits -> {
                        int[] classes = new int[n];
                        Arrays.fill(classes, c);
                        return new LayerGradients.Scored(classes, fixed.score(logits,
                                weights(g, from, n, k, c, summed), activation));
                    });
            float[] ta = lg.activations().toFloatArray();
            float[] tg = grad == null ? null : lg.gradients().toFloatArray();
            for (int i = 0; i < n; i++) {
                geo.place(from + i, ta, tg, i, a, grad);
            }
        });
        if (!done) {
            return null;
        }
        long[] shape = {1, geo.channels, geo.fieldH, geo.fieldW};
        CamResult r = method.fromLayer(shape, a, grad, cls, m, layer, fixed, ph, pw);
        MapStack in = r.inputMaps().cropped(1, h, w);
        MapStack lm = r.layerMaps().cropped(1, ceil(h, geo.sy) / geo.sy, ceil(w, geo.sx) / geo.sx);
        String which = target.classIndex(k, names) < 0
                ? String.format(Locale.ROOT, "target top1 = %s (the dominant class of the field)", names.get(cls))
                : "target " + names.get(cls);
        String how = plan.describe(g) + (plan.exact() ? "" : ", and so may the map")
                + (pw != w || ph != h ? "; the field mirrored out to " + pw + " x " + ph : "")
                + "; Seg-Grad-CAM " + which + ", summed over " + s.count() + " px"
                + (target.region() != null && !target.region().bounds() ? " of the " + target.region().name()
                : " predicted as it");
        String title = r.method() + " (" + Explainer.shortName(layer) + ", class " + in.labels().get(0) + ") [" + how
                + "]";
        return new TiledRun.Result(null, List.of(new Explanation(method.name(), title, in, lm)), cls, how);
    }

    /** The target's class and the field's pixels where its score sums. */
    private record Summed(int cls, boolean[] pixels) {

        /**
         * With {@code passes} 2, from the field's output over the tiles (the first pass); else from the
         * target alone (a named class over an ROI). Null when cancelled.
         */
        static Summed of(ExplainableModel m, TiledRun.Field field, TileGrid g, TiledRun.Listener l, int passes,
                         Target target, Activation activation) {
            List<String> names = m.classNames();
            int k = names.size();
            if (passes == 1) {
                return new Summed(target.classIndex(k, names), target.region().sample(g.width(), g.height()));
            }
            float[] out = TiledRun.perPixel(m, field, g, l, 0, passes, false);
            if (out == null) {
                return null;
            }
            int cls = target.classOf(out, k, g.width(), g.height(), names, activation);
            return new Summed(cls, target.pixels(out, 0, k, g.width(), g.height(), cls, activation));
        }

        int count() {
            int n = 0;
            for (boolean b : pixels) {
                n += b ? 1 : 0;
            }
            return n;
        }
    }

    /** The variant, refused with the reason where tiles cannot give it. */
    private static CamMethod check(ExplainableModel m, ExplainRequest r) {
        if (r.method() != ExplainRequest.Method.GRADCAM) {
            throw new UserError("fit=tile on a per-pixel model (" + m.path().getFileName() + ") makes Seg-Grad-CAM"
                    + " maps (the Grad-CAM family), not " + r.method().toString().toLowerCase(Locale.ROOT)
                    + "; to explain a region with it, crop the image to the model's size around it");
        }
        if (r.guided() || r.smoothing().averages()) {
            throw new UserError("fit=tile on a per-pixel model makes plain Grad-CAM-family maps: Guided Grad-CAM,"
                    + " SmoothGrad and augmentation are not made over tiles; turn them off or crop the image to the"
                    + " model's size");
        }
        CamMethod method = CamVariants.byName(r.variant(), r.batch(), r.smoothing());
        if (method instanceof ScoreCam || method instanceof SmoothGradCamPlusPlus) {
            throw new UserError(method.title() + " cannot run in tiles on a per-pixel model: it runs the model on"
                    + " the whole image (masked or noisy), which does not fit the model; Grad-CAM, Grad-CAM++,"
                    + " XGrad-CAM, HiResCAM, LayerCAM and Eigen-CAM work with fit=tile");
        }
        return method;
    }

    /** Weights on the outputs of tiles {@code from}..{@code from + n}: class c on the summed pixels of each tile's core. */
    private static float[] weights(TileGrid g, int from, int n, int k, int c, boolean[] summed) {
        int tile = g.tileW() * g.tileH();
        float[] w = new float[n * k * tile];
        for (int i = 0; i < n; i++) {
            int t = from + i;
            int[] core = TiledRun.core(g, t);
            int ox = g.originX(t % g.nx());
            int oy = g.originY(t / g.nx());
            int base = (i * k + c) * tile;
            for (int y = core[1]; y < core[3]; y++) {
                for (int x = core[0]; x < core[2]; x++) {
                    if (summed[y * g.width() + x]) {
                        w[base + (y - oy) * g.tileW() + x - ox] = 1f;
                    }
                }
            }
        }
        return w;
    }

    /** {@code n} rounded up to a multiple of {@code m}. */
    private static int ceil(int n, int m) {
        return (n + m - 1) / m * m;
    }

    /** The field mirrored out at the bottom and right to {@code w} × {@code h} (numpy's {@code reflect}). */
    private static TiledRun.Field mirrored(TiledRun.Field f, int w, int h) {
        org.cnnexplain.image.ImageLimits.check(w, h, f.channels(), 1);
        float[] out = new float[f.channels() * w * h];
        for (int ch = 0; ch < f.channels(); ch++) {
            for (int y = 0; y < h; y++) {
                int row = (ch * f.height() + TileGrid.reflect(y, f.height())) * f.width();
                for (int x = 0; x < w; x++) {
                    out[(ch * h + y) * w + x] = f.pixels()[row + TileGrid.reflect(x, f.width())];
                }
            }
        }
        return new TiledRun.Field(out, f.channels(), w, h, f.perTile());
    }

    /**
     * Where a tile's layer activations go in the field's: the layer's stride ({@code sx}, {@code sy} input
     * pixels per position), its channels, and the field at the layer's resolution.
     */
    private record Geometry(TileGrid grid, int channels, int sx, int sy, int tileW, int tileH, int fieldW,
                            int fieldH) {

        static Geometry of(Layer layer, TiledRun.HaloPlan plan, int pw, int ph, TileGrid g) {
            long[] s = layer.shape();
            if (s.length != 4) {
                throw new UserError("fit=tile needs a 2-D layer; '" + layer.name() + "' has shape "
                        + Arrays.toString(s));
            }
            int lw = (int) s[3];
            int lh = (int) s[2];
            if (plan.tileW() % lw != 0 || plan.tileH() % lh != 0 || pw % (plan.tileW() / lw) != 0
                    || ph % (plan.tileH() / lh) != 0) {
                throw new UserError("fit=tile: the layer '" + layer.name() + "' (" + lw + " x " + lh + " for tiles of "
                        + plan.tileW() + " x " + plan.tileH() + " px) does not divide the tiles evenly; choose a layer"
                        + " at a whole stride (after a pooling, not a cropping)");
            }
            Geometry geo = new Geometry(g, (int) s[1], plan.tileW() / lw, plan.tileH() / lh, lw, lh,
                    pw / (plan.tileW() / lw), ph / (plan.tileH() / lh));
            for (int t = 0; t < g.tiles(); t++) {
                int[] core = TiledRun.core(g, t);
                if (g.originX(t % g.nx()) % geo.sx != 0 || g.originY(t / g.nx()) % geo.sy != 0
                        || core[0] % geo.sx != 0 || core[1] % geo.sy != 0) {
                    throw new IllegalStateException("tile " + t + " is not aligned with the layer's stride");
                }
            }
            long bytes = 2L * 4 * s[1] * geo.positions();
            long budget = Math.min(BUDGET, Runtime.getRuntime().maxMemory() / 3);
            if (bytes > budget) {
                throw new UserError(String.format(Locale.ROOT, "fit=tile: the layer '%s' over this field (%d channels"
                        + " of %d x %d) needs %d MB for its activations and gradients, more than the %d MB allowed;"
                        + " choose a deeper (coarser) layer, or crop the image to a smaller field", layer.name(), s[1],
                        geo.fieldW, geo.fieldH, bytes >> 20, budget >> 20));
            }
            return geo;
        }

        int positions() {
            return fieldW * fieldH;
        }

        /**
         * Sample {@code i} of a batch's activations {@code ta} and gradients {@code tg} (N × C × tileH/sy ×
         * tileW/sx), tile {@code t}: its core's activations into {@code a}, all of its gradients added to {@code g}.
         */
        void place(int t, float[] ta, float[] tg, int i, float[] a, float[] g) {
            int ox = grid.originX(t % grid.nx()) / sx;
            int oy = grid.originY(t / grid.nx()) / sy;
            int[] core = TiledRun.core(grid, t);
            int x0 = core[0] / sx;
            int y0 = core[1] / sy;
            int x1 = Math.min(fieldW, (core[2] + sx - 1) / sx);
            int y1 = Math.min(fieldH, (core[3] + sy - 1) / sy);
            int per = tileW * tileH;
            for (int c = 0; c < channels; c++) {
                int in = (i * channels + c) * per;
                int out = c * fieldW * fieldH;
                for (int y = y0; y < y1; y++) {
                    System.arraycopy(ta, in + (y - oy) * tileW + x0 - ox, a, out + y * fieldW + x0, x1 - x0);
                }
                if (tg != null) {
                    for (int y = Math.max(0, oy); y < Math.min(fieldH, oy + tileH); y++) {
                        for (int x = Math.max(0, ox); x < Math.min(fieldW, ox + tileW); x++) {
                            g[out + y * fieldW + x] += tg[in + (y - oy) * tileW + x - ox];
                        }
                    }
                }
            }
        }
    }
}
