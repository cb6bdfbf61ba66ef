package org.cnnexplain.explain.quality;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.Cam;
import org.cnnexplain.explain.CamMethod;
import org.cnnexplain.explain.CamResult;
import org.cnnexplain.explain.CamVariants;
import org.cnnexplain.explain.LayerChoice;
import org.cnnexplain.explain.Localization;
import org.cnnexplain.explain.Target;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.model.ExplainableModel;

/**
 * Scores explanation methods side by side on images with a mask of what should matter, image
 * after image: per method, the pointing game (the map's peak within {@code tolerance} px of the mask),
 * the energy ratio (share of the map's positive mass inside the mask over the mask's share of the
 * image), and deletion, random-order deletion and insertion curves ({@link PixelCurves}). Each method
 * draws its random orders from its own {@code Random(seed)} in image order, so a run over the same
 * images in the same order gives the same numbers.
 *
 * <pre>{@code
 * Evaluation e = new Evaluation(List.of("gradcam", "scorecam"), "auto", Target.top1(), 15, 20, 7);
 * e.add(model, raw, 1, 128, 128, norm, mask);      // raw pixels, C x H x W; repeat per image
 * e.results().get(0).deletionAuc();                 // mean over the images
 * }</pre>
 */
public final class Evaluation {

    /** The methods {@code methods} accepts: the Grad-CAM family and CAM. */
    public static final List<String> METHODS = List.of("gradcam", "gradcampp", "xgradcam", "layercam", "hirescam",
            "eigencam", "scorecam", "cam");

    /** Score-CAM's masked inputs per forward pass. */
    static final int SCORECAM_BATCH = 32;

    /**
     * One method's means over the images (curves averaged point by point).
     *
     * @param deletionWins the fraction of images whose deletion AUC is below the random order's
     */
    public record Scores(String method, int images, double pointing, double energy, double deletionWins,
                         double deletionAuc, double randomAuc, double insertionAuc, double[] deletion,
                         double[] random, double[] insertion) {

        /** A line as the truth tests print it. */
        public String row() {
            return String.format(Locale.ROOT, "%-10s pointing %.3f  energy x%.2f  deletion better than random %.3f"
                    + "  (AUC %.3f vs %.3f)  insertion AUC %.3f  on %d images", method, pointing, energy, deletionWins,
                    deletionAuc, randomAuc, insertionAuc, images);
        }
    }

    private final List<String> methods;
    private final String layer;
    private final Target target;
    private final double tolerance;
    private final int steps;
    private final List<Accumulator> sums = new ArrayList<>();

    /**
     * @param methods   names from {@link #METHODS}
     * @param layer     the layer of the Grad-CAM family ({@code auto}: the last spatial one); CAM uses its own
     * @param tolerance pointing-game tolerance in pixels
     * @param steps     curve steps (deletion of 0, 1/steps, ..., all pixels)
     * @param seed      seed of each method's random orders
     */
    public Evaluation(List<String> methods, String layer, Target target, double tolerance, int steps, long seed) {
        if (methods.isEmpty()) {
            throw new UserError("no methods to evaluate (valid: " + String.join(", ", METHODS) + ")");
        }
        for (String m : methods) {
            if (!METHODS.contains(m)) {
                throw new UserError("unknown method '" + m + "' (valid: " + String.join(", ", METHODS) + ")");
            }
        }
        if (steps < 1 || steps > 1000) {
            throw new UserError("steps must be 1-1000, got " + steps);
        }
        this.methods = List.copyOf(methods);
        this.layer = layer == null || layer.isBlank() ? LayerChoice.AUTO : layer;
        this.target = target;
        this.tolerance = tolerance;
        this.steps = steps;
        for (String m : methods) {
            sums.add(new Accumulator(m, new Random(seed), steps));
        }
    }

    /** Parses "gradcam, scorecam,cam" (or "all"). */
    public static List<String> parseMethods(String list) {
        if (list == null || list.isBlank() || list.trim().equalsIgnoreCase("all")) {
            return METHODS;
        }
        return Arrays.stream(list.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty())
                .toList();
    }

    /**
     * Scores every method on one image: {@code raw} (C × H × W, before normalisation) and {@code mask}
     * (H × W, true where the evidence should be). The model must be a 2-D classifier. An empty mask
     * (nothing to point at, such as the demo's "empty" class) is skipped: returns false.
     */
    public boolean add(ExplainableModel model, float[] raw, int channels, int height, int width, Normalization norm,
                    boolean[] mask) {
        if (model.hasSpatialOutput() || model.isVolumetric()) {
            throw new UserError("evaluate needs a 2-D classifier (one score per class); "
                    + model.path().getFileName() + (model.isVolumetric() ? " takes z-stacks" : " classifies pixels"));
        }
        if (mask.length != height * width) {
            throw new UserError("the mask is " + mask.length + " pixels, the image " + width + " x " + height);
        }
        boolean any = false;
        for (boolean b : mask) {
            any |= b;
        }
        if (!any) {
            return false;
        }
        float[] input = raw.clone();
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            float[] p = Arrays.copyOfRange(input, c * plane, (c + 1) * plane);
            norm.apply(p, c);
            System.arraycopy(p, 0, input, c * plane, plane);
        }
        for (Accumulator acc : sums) {
            try (NDManager run = model.newRun()) {
                NDArray x = Tensors.of(run, input, new Shape(1, channels, height, width));
                CamMethod method = acc.method.equals("cam") ? new Cam() : CamVariants.byName(acc.method, SCORECAM_BATCH);
                CamResult r = method.explain(model, run, x, acc.method.equals("cam") ? LayerChoice.AUTO : layer, target);
                float[] map = r.inputMaps().resized(height, width).plane(0);
                int cls = r.classes()[0];
                double[] del = PixelCurves.deletion(model, run, raw, channels, height, width, norm,
                        PixelCurves.byMap(map), cls, steps);
                double[] rnd = PixelCurves.deletion(model, run, raw, channels, height, width, norm,
                        PixelCurves.random(map.length, acc.random), cls, steps);
                double[] ins = PixelCurves.insertion(model, run, raw, channels, height, width, norm,
                        PixelCurves.byMap(map), cls, steps);
                acc.add(Localization.pointingHit(map, mask, width, tolerance), Localization.energyRatio(map, mask),
                        del, rnd, ins);
            }
        }
        return true;
    }

    /** Means so far, one per method in the order given. */
    public List<Scores> results() {
        return sums.stream().map(Accumulator::scores).toList();
    }

    public List<String> methods() {
        return methods;
    }

    private static final class Accumulator {
        final String method;
        final Random random;
        int n;
        int hits;
        int wins;
        double energy;
        double aucDeletion;
        double aucRandom;
        double aucInsertion;
        final double[] deletion;
        final double[] randomCurve;
        final double[] insertion;

        Accumulator(String method, Random random, int steps) {
            this.method = method;
            this.random = random;
            deletion = new double[steps + 1];
            randomCurve = new double[steps + 1];
            insertion = new double[steps + 1];
        }

        void add(boolean hit, double e, double[] del, double[] rnd, double[] ins) {
            n++;
            hits += hit ? 1 : 0;
            energy += e;
            double a = PixelCurves.auc(del);
            double b = PixelCurves.auc(rnd);
            aucDeletion += a;
            aucRandom += b;
            aucInsertion += PixelCurves.auc(ins);
            wins += a < b ? 1 : 0;
            for (int s = 0; s < del.length; s++) {
                deletion[s] += del[s];
                randomCurve[s] += rnd[s];
                insertion[s] += ins[s];
            }
        }

        Scores scores() {
            double d = Math.max(n, 1);
            return new Scores(method, n, hits / d, energy / d, wins / d, aucDeletion / d, aucRandom / d,
                    aucInsertion / d, scaled(deletion, d), scaled(randomCurve, d), scaled(insertion, d));
        }

        private static double[] scaled(double[] v, double d) {
            return Arrays.stream(v).map(x -> x / d).toArray();
        }
    }
}
