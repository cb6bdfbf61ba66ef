package org.cnnexplain.plugin;

import ai.djl.ndarray.NDManager;
import ij.ImagePlus;
import java.util.ArrayList;
import java.util.List;
import org.cnnexplain.explain.ExplainRequest;
import org.cnnexplain.explain.Explainer;
import org.cnnexplain.explain.Explanation;
import org.cnnexplain.explain.MapStack;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.render.Luts;
import org.cnnexplain.render.ResultImages;
import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.plugin.Parameter;

/**
 * What the explanation commands share: the input image and model, running the
 * request on every z/t plane (one model load, cancellable between planes),
 * the 32-bit result stack, and the heatmap overlay on the input.
 *
 * <p>User errors cancel the command as {@link CnnCommand} describes.
 */
public abstract class ExplainCommandBase extends CnnCommand {

    @Parameter(label = "Layerres: also the maps at the layer's own resolution",
            description = "A second window with the maps before upsampling to the image")
    protected boolean layerres;

    @Parameter(label = "Result", type = ItemIO.OUTPUT)
    protected ImagePlus result;

    @Parameter(label = "Maps at the layer's resolution", type = ItemIO.OUTPUT, required = false)
    protected ImagePlus layermaps;

    @Parameter(label = "Guided Grad-CAM", type = ItemIO.OUTPUT, required = false)
    protected ImagePlus guidedmaps;

    @Parameter(label = "Class map", type = ItemIO.OUTPUT, required = false)
    protected ImagePlus classmap;

    @Parameter(required = false)
    protected StatusService status;

    /** Offers the model's layers ("auto", module paths, spatial nodes) and classes ("top1", names) as choices. */
    @Override
    protected void modelChanged() {
        if (model == null || !model.exists() || models == null) {   // a file, or a bioimage.io package folder
            return;
        }
        try {
            ExplainableModel m = models.get(model, device);
            List<String> layers = new ArrayList<>(List.of("auto"));
            for (org.cnnexplain.model.Layer l : m.layers(layerTableShape(m))) {
                if (l.isSpatial()) {
                    String[] parts = l.name().split("/");
                    for (int i = 0; i < parts.length - 1; i++) {
                        if (!parts[i].isEmpty() && !layers.contains(parts[i])) {
                            layers.add(parts[i]);
                        }
                    }
                    layers.add(l.name());
                }
            }
            List<String> targets = new ArrayList<>(List.of("top1"));
            targets.addAll(m.classNames());
            offer("layer", layers);
            offer("target", targets);
        } catch (org.cnnexplain.UserError e) {
            log.warn(title() + ": " + e.getMessage());   // the run itself reports it properly
        }
    }

    private void offer(String name, List<String> choices) {
        if (getInfo().getInput(name) != null) {   // CAM has no layer to choose
            getInfo().getMutableInput(name, String.class).setChoices(choices);
        }
    }

    /** The request for this command's parameters. */
    protected abstract ExplainRequest request();

    /** After the results are made: what a command adds beside them (the heatmap commands' montage). */
    protected void finish(List<List<Explanation>> perSample, TensorBatch batch, ExplainableModel m) {
    }

    /** The LUT and opacity of the overlay, or null for commands that add none. */
    protected String lut() {
        return null;
    }

    protected double opacity() {
        return 0.5;
    }

    @Override
    protected void compute() {
        ExplainRequest request = request();
        if (lut() != null) {
            Luts.get(lut());
        }
        ExplainableModel m = loadModel();
        if (tiled()) {
            computeTiled(m, request);
            return;
        }
        if (m.hasSpatialOutput()) {
            request = request.withRegion(Rois.region(image));
        }
        TensorBatch batch = batchFor(m);
        List<List<Explanation>> perSample = new ArrayList<>();
        for (int s = 0; s < batch.size(); s++) {
            if (isCanceled()) {
                return;
            }
            progress(s, batch.size());
            try (NDManager run = m.newRun()) {
                perSample.add(Explainer.run(m, run, batch.toNDArray(run, s, s + 1), request));
            }
        }
        progress(batch.size(), batch.size());
        result = output(perSample, 0, false, batch);
        if (layerres && perSample.get(0).get(0).layerMaps() != null) {
            layermaps = output(perSample, 0, true, batch);
        }
        if (perSample.get(0).size() > 1) {
            guidedmaps = output(perSample, 1, false, batch);
        }
        if (lut() != null) {
            addOverlays(perSample, batch);
        }
        finish(perSample, batch, m);
        log.info("cnn-explain: " + title() + " of " + image.getTitle() + " with " + model.getName() + " on "
                + m.device());
    }

    /**
     * Result {@code k} of every sample in one stack (input or layer resolution); labels say which
     * plane. A 3-D model's volumes make a hyperstack: its z-slices, then one frame per map; attributions
     * that keep a C-channel input's channels make a hyperstack of C channels, one frame per neuron.
     */
    private ImagePlus output(List<List<Explanation>> perSample, int k, boolean layer, TensorBatch batch) {
        Explanation e0 = perSample.get(0).get(k);
        MapStack first = layer ? e0.layerMaps() : e0.inputMaps();
        int per = first.planes();
        int plane = first.width() * first.height();
        float[] data = new float[perSample.size() * per * plane];
        List<String> labels = new ArrayList<>();
        for (int s = 0; s < perSample.size(); s++) {
            Explanation e = perSample.get(s).get(k);
            MapStack m = layer ? e.layerMaps() : e.inputMaps();
            System.arraycopy(m.data(), 0, data, s * per * plane, per * plane);
            for (int p = 0; p < m.planes(); p++) {
                labels.add(batch.label(s).isEmpty() ? m.planeLabel(p) : batch.label(s) + ": " + m.planeLabel(p));
            }
        }
        MapStack all = new MapStack(data, perSample.size() * per, first.height(), first.width(), labels);
        int channels = first.channels();
        if (channels > 1 && first.depth() > 1) {
            all = ResultImages.channelsInnermost(all, channels, first.depth());
        }
        if (!layer) {
            all = all.resized(image.getHeight(), image.getWidth());   // back to the image when fit=resize scaled it
        }
        ij.measure.Calibration cal = image.getCalibration().copy();
        cal.pixelWidth *= image.getWidth() / (double) all.width();
        cal.pixelHeight *= image.getHeight() / (double) all.height();
        if (first.depth() > 1) {
            cal.pixelDepth *= image.getNSlices() / (double) first.depth();
        }
        ImagePlus imp = ResultImages.stack(all, image.getTitle() + " – " + e0.title() + (layer ? " [layer]" : ""), cal);
        if (first.depth() > 1 || channels > 1) {
            // ImageJ's CZT order: input channels as channels, a 3-D model's z as slices, neurons and planes as frames
            imp.setDimensions(channels, first.depth(), all.planes() / (first.depth() * channels));
            imp.setOpenAsHyperStack(true);
        }
        return imp;
    }

    /** Each sample's map on its plane of the input: a 2-D model's sample is one (z, t) plane, a 3-D model's a z-stack. */
    private void addOverlays(List<List<Explanation>> perSample, TensorBatch batch) {
        int z = image.getNSlices();
        for (int s = 0; s < perSample.size(); s++) {
            Explanation e = perSample.get(s).get(0);
            MapStack maps = e.inputMaps().resized(e.inputMaps().depth(), image.getHeight(), image.getWidth());
            if (batch.depth() > 0) {
                for (int zi = 0; zi < maps.depth(); zi++) {
                    ResultImages.addHeatmap(image, maps.plane(zi), Luts.get(lut()), opacity(), 0, zi + 1, s + 1,
                            e.title());
                }
            } else {
                ResultImages.addHeatmap(image, maps.plane(0), Luts.get(lut()), opacity(), 0, s % z + 1, s / z + 1,
                        e.title());
            }
        }
    }

    /**
     * {@code fit=tile}: every plane (inside the ROI's bounding box, if any) cut into tiles, explained
     * tile by tile and stitched; the class map beside the maps. A per-pixel model (a U-Net) gets
     * Seg-Grad-CAM over the whole plane instead ({@link org.cnnexplain.tile.TiledSegCam}), in tiles of its
     * fixed size, or of its default size when it takes any: an image too large to run whole still fits. The
     * ROI is then its target region, not a box to tile. Cancelled: nothing is output.
     */
    private void computeTiled(ExplainableModel m, ExplainRequest request) {
        boolean perPixel = m.hasSpatialOutput();
        java.awt.Rectangle box = perPixel ? new java.awt.Rectangle(0, 0, image.getWidth(), image.getHeight())
                : Tiles.box(image);
        org.cnnexplain.tile.TileGrid grid = perPixel ? null
                : org.cnnexplain.tile.TiledRun.grid(m, box.width, box.height, stride);
        ExplainRequest r = perPixel ? request.withRegion(Rois.region(image)) : request;
        org.cnnexplain.image.Normalization norm = org.cnnexplain.image.Normalization.of(normalize, m.spec());
        int planes = image.getNSlices() * image.getNFrames();
        List<String> planeLabels = new ArrayList<>();
        List<org.cnnexplain.tile.ClassMap> classMaps = new ArrayList<>();
        List<List<MapStack>> maps = new ArrayList<>();
        List<MapStack> layerMaps = new ArrayList<>();
        List<Explanation> firsts = null;
        int target = 0;
        for (int s = 0; s < planes; s++) {
            String label = Tiles.planeLabel(image, s);
            org.cnnexplain.tile.TiledRun.Listener listener = Tiles.listener(status,
                    title() + (planes > 1 ? " " + label : ""), this::stopped);
            org.cnnexplain.tile.TiledRun.Result res;
            if (perPixel) {   // normalised over the whole plane, as a run on the whole image is
                org.cnnexplain.tile.TiledRun.Field raw = Tiles.field(image, s, box, m.inputChannels(), norm);
                norm.apply(raw.pixels(), 0, raw.channels(), raw.width() * raw.height());
                res = org.cnnexplain.tile.TiledSegCam.explain(m, new org.cnnexplain.tile.TiledRun.Field(raw.pixels(),
                        raw.channels(), raw.width(), raw.height(), null), r, listener);
            } else {
                res = org.cnnexplain.tile.TiledRun.explain(m, Tiles.field(image, s, box, m.inputChannels(), norm), grid,
                        r, listener);
            }
            if (res == null) {
                return;
            }
            planeLabels.add(label);
            if (res.classMap() != null) {
                classMaps.add(res.classMap());
            }
            for (int k = 0; k < res.maps().size(); k++) {
                if (maps.size() <= k) {
                    maps.add(new ArrayList<>());
                }
                maps.get(k).add(res.maps().get(k).inputMaps());
            }
            if (res.maps().get(0).layerMaps() != null) {
                layerMaps.add(res.maps().get(0).layerMaps());
            }
            firsts = firsts == null ? res.maps() : firsts;
            target = s == 0 ? res.target() : target;
            log.info("cnn-explain: " + title() + (label.isEmpty() ? "" : " " + label) + ": " + res.how());
        }
        ij.measure.Calibration cal = Tiles.calibration(image, box);
        result = Tiles.stack(maps.get(0), planeLabels, image.getTitle() + " – " + firsts.get(0).title(), cal);
        result.setProperty("Info", firsts.get(0).title());   // kept in the TIFF: how it was tiled, which target
        if (maps.size() > 1) {
            guidedmaps = Tiles.stack(maps.get(1), planeLabels, image.getTitle() + " – " + firsts.get(1).title(), cal);
        }
        if (!classMaps.isEmpty()) {
            classmap = Tiles.classMaps(classMaps, planeLabels, image.getTitle() + " – class map (" + grid.describe()
                    + ")", cal, target, Luts.get(lut() != null ? lut() : "inferno"));
        }
        if (lut() != null) {
            for (int s = 0; s < planes; s++) {
                MapStack one = maps.get(0).get(s);
                ResultImages.addHeatmap(image, one.planes() == 1 ? one.data() : one.plane(0), box, Luts.get(lut()),
                        opacity(), 0, s % image.getNSlices() + 1, s / image.getNSlices() + 1, firsts.get(0).title());
            }
        }
        if (layerres && layerMaps.size() == planes) {
            ij.measure.Calibration lc = cal.copy();
            lc.pixelWidth *= box.width / (double) layerMaps.get(0).width();
            lc.pixelHeight *= box.height / (double) layerMaps.get(0).height();
            layermaps = Tiles.stack(layerMaps, planeLabels, image.getTitle() + " – " + firsts.get(0).title()
                    + " [layer]", lc);
        } else if (layerres) {
            log.info("cnn-explain: " + title() + ": fit=tile makes maps at the image's resolution only (no layer maps)");
        }
        log.info("cnn-explain: " + title() + " of " + image.getTitle() + " with " + model.getName() + " on "
                + m.device() + (grid != null ? ", " + grid.describe() : ""));
    }

    private void progress(int done, int total) {
        if (status != null) {
            status.showProgress(done, total);
        }
    }

}
