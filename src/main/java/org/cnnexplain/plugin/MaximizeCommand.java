package org.cnnexplain.plugin;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.ResultsTable;
import ij.process.FloatProcessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.UserError;
import org.cnnexplain.explain.MapStack;
import org.cnnexplain.explain.maximize.ActivationMaximisation;
import org.cnnexplain.explain.maximize.Range;
import org.cnnexplain.explain.maximize.Regularisers;
import org.cnnexplain.explain.maximize.Settings;
import org.cnnexplain.explain.maximize.Unit;
import org.cnnexplain.explain.maximize.UnitChoice;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.render.ContactSheet;
import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Plugins › CNN Explain › Activation Maximisation: the input a layer's channels, one neuron each, or the
 * classes respond to most, synthesised from noise ({@link ActivationMaximisation}). Returns the images in
 * the model's input space ({@code result}, one slice per unit), in raw intensities where the
 * normalisation can be undone ({@code raw}), a labelled {@code montage}, and a {@code table}: per unit the
 * activation reached and, when an image is open, the largest activation of that unit over its planes.
 * The open image is optional: it only serves for that comparison and to pick the strongest channels.
 *
 * <pre>
 * run("Activation Maximisation", "model=[/data/demo.onnx] objective=class target=all steps=128");
 * run("Activation Maximisation", "model=[/data/demo.onnx] objective=channel layer=block4 channels=[] top=8");
 * </pre>
 */
@Plugin(type = Command.class, menuPath = "Plugins>CNN Explain>Activation Maximisation", headless = true)
public class MaximizeCommand extends CnnCommand {

    static final String TITLE = "Activation Maximisation";

    @Parameter(label = "Objective: what to maximise", choices = {"channel", "neuron", "class"},
            description = "channel: the mean of a channel's map; neuron: one position of it; class: the class logit")
    private String objective = "channel";

    @Parameter(label = "Target classes: all, or names/indices (objective=class)", required = false)
    private String target = UnitChoice.ALL;

    @Parameter(label = "Layer: module path, node name, or auto", description = "The layer whose channels are maximised")
    private String layer = "auto";

    @Parameter(label = "Channels: e.g. 0,3,5-8 (empty: the top ones)", required = false)
    private String channels = "";

    @Parameter(label = "Top: the strongest channels on the open image (without one: the first); 0 = all", min = "0")
    private int top = 16;

    @Parameter(label = "Neuron: x,y in the layer's grid (empty: the centre)", required = false)
    private String neuron = "";

    @Parameter(label = "Steps of gradient ascent", min = "1")
    private int steps = DEFAULTS.steps();

    @Parameter(label = "Rate: Adam's learning rate", min = "0", stepSize = "0.01")
    private double rate = DEFAULTS.rate();

    @Parameter(label = "Range of the synthesised input, low,high after normalisation (auto: from the normalisation)")
    private String range = "auto";

    @Parameter(label = "Jitter: largest random shift per step (pixels)", min = "0")
    private int jitter = Regularisers.DEFAULT.jitter();

    @Parameter(label = "Scaling: largest random scaling per step (0.1 = ±10 %)", min = "0", stepSize = "0.05")
    private double scaling = Regularisers.DEFAULT.scaling();

    @Parameter(label = "Rotation: largest random rotation per step (degrees)", min = "0")
    private double rotation = Regularisers.DEFAULT.rotation();

    @Parameter(label = "Decay: L2 penalty weight", min = "0", stepSize = "0.01")
    private double decay = Regularisers.DEFAULT.decay();

    @Parameter(label = "Tv: total-variation penalty weight", min = "0", stepSize = "0.01")
    private double tv = Regularisers.DEFAULT.tv();

    @Parameter(label = "Blur: σ of the Gaussian blur of the image (pixels; 0 = off)", min = "0", stepSize = "0.1")
    private double blur = Regularisers.DEFAULT.blur();

    @Parameter(label = "Blurevery: blur every this many steps", min = "1")
    private int blurevery = Regularisers.DEFAULT.blurevery();

    /** A checkbox that is off by default, since a macro leaves out the keys of unticked checkboxes. */
    @Parameter(label = "Pixels: plain pixels instead of the decorrelated Fourier parameterisation")
    private boolean pixels = !Regularisers.DEFAULT.fourier();

    @Parameter(label = "Seed of the starting noise and the random warps")
    private int seed;

    @Parameter(label = "Result", type = ItemIO.OUTPUT)
    private ImagePlus result;

    @Parameter(label = "Raw intensities", type = ItemIO.OUTPUT, required = false)
    private ImagePlus raw;

    @Parameter(label = "Montage", type = ItemIO.OUTPUT)
    private ImagePlus montage;

    @Parameter(label = "Activations", type = ItemIO.OUTPUT)
    private ResultsTable table;

    @Parameter(required = false)
    private StatusService status;

    /** The engine's defaults as the dialog offers them. */
    static final Settings DEFAULTS = new Settings(ActivationMaximisation.DEFAULT_STEPS,
            ActivationMaximisation.DEFAULT_RATE, 0, Range.of(0, 1), Regularisers.DEFAULT);

    /** No image is needed: synthesis starts from noise; an open image is only compared with. */
    @Override
    protected boolean needsImage() {
        return false;
    }

    @Override
    protected String title() {
        return TITLE;
    }

    @Override
    protected void compute() {
        if (model == null) {
            throw new UserError("no model file chosen");
        }
        ExplainableModel m = models.get(model, device);
        Normalization norm = Normalization.of(normalize, m.spec());
        List<TensorBatch> images = image == null ? List.of() : List.of(batchFor(m));
        List<Unit> units = UnitChoice.of(m, objective, target, layer, channels, top, neuron, images);
        Range r = range(m, norm);
        Settings s = new Settings(steps, rate, seed, r,
                new Regularisers(jitter, scaling, rotation, decay, tv, blur, blurevery, !pixels));
        log.info("cnn-explain: " + TITLE + " of " + units.size() + " unit(s) with " + model.getName() + " on "
                + m.device() + ": " + s.describe());
        ActivationMaximisation.Result out = ActivationMaximisation.run(m, units, s, (done, total) -> {
            if (status != null) {
                status.showProgress(done, total);
            }
            return !isCanceled();
        });
        if (out.cancelled()) {
            if (!isCanceled()) {
                cancel(TITLE + ": cancelled after " + out.steps() + " of " + steps + " steps");
            }
            return;
        }
        float[] compared = images.isEmpty() ? null : ActivationMaximisation.maxOver(m, units, images);
        String what = model.getName() + " – " + TITLE;
        MapStack stack = out.stack();
        result = stack(stack, what, r);
        raw = rawStack(out, norm, what);
        montage = montage(out, what);
        table = table(out, compared);
        for (int i = 0; i < units.size(); i++) {
            log.info("cnn-explain: " + out.label(i) + (compared == null ? "" : String.format(Locale.ROOT,
                    ", largest on %s %.3g", image.getTitle(), compared[i])));
        }
        if (!java.awt.GraphicsEnvironment.isHeadless()) {
            table.show(TITLE);
        }
    }

    /** The range the user gave, or the normalisation's nominal one per input channel. */
    private Range range(ExplainableModel m, Normalization norm) {
        if (range != null && !range.isBlank() && !range.trim().equalsIgnoreCase("auto")) {
            return Range.parse(range);
        }
        int c = m.inputChannels();
        double[] lo = new double[c];
        double[] hi = new double[c];
        for (int k = 0; k < c; k++) {
            double[] nominal = norm.nominalRange(k);
            lo[k] = nominal[0];
            hi[k] = nominal[1];
        }
        return new Range(lo, hi);
    }

    private static ImagePlus stack(MapStack maps, String title, Range r) {
        ImageStack st = new ImageStack(maps.width(), maps.height());
        for (int k = 0; k < maps.planes(); k++) {
            st.addSlice(maps.planeLabel(k), new FloatProcessor(maps.width(), maps.height(), maps.plane(k)));
        }
        ImagePlus imp = new ImagePlus(title, st);
        int c = maps.channels();
        if (c > 1) {
            imp.setDimensions(c, 1, maps.planes() / c);
            imp.setOpenAsHyperStack(true);
        }
        imp.setDisplayRange(r.low()[0], r.high()[0]);
        return imp;
    }

    /**
     * Raw intensities: the normalisation undone, channel by channel. A normalisation by fixed constants
     * (none, fixed, a package's scale_linear) undoes exactly; one by the image's own statistics
     * (percentile, minmax, zscore) through those of the open image (the median over its planes); with no
     * image, or when it is not affine, there is no raw stack (the log says so).
     */
    private ImagePlus rawStack(ActivationMaximisation.Result out, Normalization norm, String title) {
        int c = out.channels();
        double[][] affine = new double[c][];
        List<float[]> planes = new ArrayList<>();
        if (norm.usesImageStatistics()) {
            if (image == null) {
                log.info("cnn-explain: no raw-intensity stack: normalisation " + norm.describe()
                        + " depends on the image's statistics; open an image to map back through its scaling");
                return null;
            }
            planes.addAll(EvaluateCommand.rawPlanes(image, c));
        } else {
            float[] ramp = new float[c * 256];
            for (int i = 0; i < ramp.length; i++) {
                ramp[i] = i % 256;
            }
            planes.add(ramp);
        }
        for (int k = 0; k < c; k++) {
            List<double[]> fits = new ArrayList<>();
            for (float[] p : planes) {
                int size = p.length / c;
                double[] a = norm.affine(java.util.Arrays.copyOfRange(p, k * size, (k + 1) * size), k);
                if (a != null) {
                    fits.add(a);
                }
            }
            if (fits.isEmpty()) {
                log.info("cnn-explain: no raw-intensity stack: normalisation " + norm.describe()
                        + " cannot be undone (not a linear scaling)");
                return null;
            }
            fits.sort(java.util.Comparator.comparingDouble(a -> a[0]));
            affine[k] = fits.get(fits.size() / 2);
        }
        float[] x = out.inputs().clone();
        int plane = out.height() * out.width();
        for (int i = 0; i < x.length; i++) {
            double[] a = affine[i / plane % c];
            x[i] = (float) ((x[i] - a[1]) / a[0]);
        }
        MapStack m = out.stack();
        MapStack rawMaps = new MapStack(x, m.count(), m.depth(), m.height(), m.width(), m.labels(), m.channels());
        double lo = (out.settings().range().low()[0] - affine[0][1]) / affine[0][0];
        double hi = (out.settings().range().high()[0] - affine[0][1]) / affine[0][0];
        return stack(rawMaps, title + " (raw intensities)", Range.of(Math.min(lo, hi), Math.max(lo, hi)));
    }

    /** One tile per unit (the first input channel), labelled with the unit and what it reaches. */
    static ImagePlus montage(ActivationMaximisation.Result out, String title) {
        List<ContactSheet.Tile> tiles = new ArrayList<>();
        int plane = out.height() * out.width();
        for (int i = 0; i < out.units().size(); i++) {
            float[] px = java.util.Arrays.copyOfRange(out.inputs(), i * out.channels() * plane,
                    (i * out.channels() + 1) * plane);
            Unit u = out.units().get(i);
            String value = u.kind() == Unit.Kind.CLASS
                    ? String.format(Locale.ROOT, "logit %.3g  p=%.3f", out.activation()[i], out.probability()[i])
                    : String.format(Locale.ROOT, "activation %.3g", out.activation()[i]);
            tiles.add(new ContactSheet.Tile(new FloatProcessor(out.width(), out.height(), px), null,
                    List.of(u.describe(), value), false));
        }
        return new ImagePlus(title + " montage", ContactSheet.draw(tiles, 8));
    }

    /** One row per unit: what it is, what it reaches, and the largest value over the open image. */
    static ResultsTable table(ActivationMaximisation.Result out, float[] compared) {
        ResultsTable t = new ResultsTable();
        for (int i = 0; i < out.units().size(); i++) {
            Unit u = out.units().get(i);
            t.incrementCounter();
            t.addValue("unit", u.describe());
            t.addValue("kind", u.kind().name().toLowerCase(Locale.ROOT));
            t.addValue("layer", u.layer() == null ? "" : u.layer());
            t.addValue("index", u.channel());
            t.addValue("objective", out.objective()[i]);
            t.addValue("activation", out.activation()[i]);
            t.addValue("probability", u.kind() == Unit.Kind.CLASS ? out.probability()[i] : Double.NaN);
            t.addValue("image max", compared == null ? Double.NaN : compared[i]);
        }
        return t;
    }
}
