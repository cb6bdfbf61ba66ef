package org.cnnexplain.atlas;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The atlas as text: {@code atlas.csv} (every kept neuron, exact positions), {@code atlas_classes.csv}
 * (per channel the predicted classes of its K samples), {@code importance.csv}, and log lines.
 *
 * <pre>
 * layer,channel,rank,image,slice,x,y,activation,rf_x0,rf_y0,rf_x1,rf_y1
 * /block4/block4.2/Relu,12,1,cell_031.tif,1,7,9,5.1370845,41,57,78,94
 * </pre>
 * {@code channel} is 0-based, {@code rank} 1-based (1 = strongest), {@code slice} the 1-based plane of the
 * file (of the stack), {@code x, y} the neuron's 0-based column and row in the layer's grid, {@code
 * activation} the float exactly (shortest decimal that reads back to it), {@code rf_*} its receptive field in
 * the pixels the model saw, corners inclusive, clipped at the border.
 */
public final class AtlasTables {

    public static final String ATLAS_HEADER = "layer,channel,rank,image,slice,x,y,activation,rf_x0,rf_y0,rf_x1,rf_y1";

    private AtlasTables() {
    }

    public static String atlasCsv(Atlas atlas) {
        StringBuilder b = new StringBuilder(ATLAS_HEADER).append('\n');
        for (Atlas.Row row : atlas.rows()) {
            for (int r = 0; r < row.cells().size(); r++) {
                Atlas.Cell c = row.cells().get(r);
                Neuron n = c.neuron();
                ReceptiveField.Box box = c.box();
                b.append(csv(atlas.layer())).append(',').append(row.channel()).append(',').append(r + 1).append(',')
                        .append(csv(c.image() == null ? "" : c.image())).append(',').append(c.slice()).append(',')
                        .append(n.x()).append(',').append(n.y()).append(',').append(Float.toString(n.activation()));
                if (box != null) {
                    b.append(',').append(box.x0()).append(',').append(box.y0()).append(',').append(box.x1())
                            .append(',').append(box.y1());
                } else {
                    b.append(",,,,");
                }
                b.append('\n');
            }
        }
        return b.toString();
    }

    /** {@code layer,channel,neurons,<count per class>...,top_class,top_fraction}. */
    public static String classesCsv(Atlas atlas) {
        int k = atlas.classes().size();
        StringBuilder b = new StringBuilder("layer,channel,neurons");
        atlas.classes().forEach(c -> b.append(',').append(csv(c)));
        b.append(",top_class,top_fraction\n");
        for (Atlas.Row row : atlas.rows()) {
            int[] n = row.classCounts(k);
            int top = row.topClass(k);
            b.append(csv(atlas.layer())).append(',').append(row.channel()).append(',').append(row.cells().size());
            for (int v : n) {
                b.append(',').append(v);
            }
            b.append(',').append(top < 0 ? "" : csv(atlas.classes().get(top))).append(',')
                    .append(top < 0 ? "" : String.format(Locale.ROOT, "%.4f", n[top] / (double) row.cells().size()))
                    .append('\n');
        }
        return b.toString();
    }

    /** {@code class,channel,images,gradcam_weight,cam_weight,mean_activation}; cam_weight empty where CAM does not apply. */
    public static String importanceCsv(Importance imp) {
        StringBuilder b = new StringBuilder("class,channel,images,gradcam_weight,cam_weight,mean_activation\n");
        for (Importance.Row r : imp.rows()) {
            b.append(csv(r.className())).append(',').append(r.channel()).append(',').append(r.samples()).append(',')
                    .append(number(r.gradcam())).append(',').append(number(r.cam())).append(',')
                    .append(number(r.activation())).append('\n');
        }
        return b.toString();
    }

    /**
     * One line per channel ("ch 12: 9/9 mitotic") and a summary: how many channels have at least 80 % of
     * their kept neurons in one class.
     */
    public static List<String> logLines(Atlas atlas) {
        List<String> lines = new ArrayList<>();
        int specific = 0;
        int k = atlas.classes().size();
        for (Atlas.Row row : atlas.rows()) {
            lines.add(AtlasFigures.rowLabel(atlas, row));
            int top = row.topClass(k);
            if (top >= 0 && row.classCounts(k)[top] >= 0.8 * row.cells().size()) {
                specific++;
            }
        }
        lines.add(String.format(Locale.ROOT, "%d of %d channels of %s have >= 80 %% of their top-%d neurons in"
                + " images of one predicted class (%d samples)", specific, atlas.rows().size(), atlas.layer(),
                atlas.top(), atlas.samples()));
        return lines;
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }

    /** A CSV field, quoted when it holds a comma, a quote or a line break. */
    static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
