package org.cnnexplain.atlas;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Plot;
import ij.process.ColorProcessor;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The atlas montage and the importance bar plots.
 *
 * <p>Montage: one row per channel — its number and the class most of its K samples were predicted as —
 * then its K neurons, strongest first, each as the receptive-field patch of the model's input (grey, one
 * range for the whole atlas, so a dim patch looks dim) beside the neuron's deconvnet projection (grey is
 * zero, white positive, black negative, scaled per projection as Zeiler and Fergus show them), labelled
 * with the rank, the activation and the image. Where the field reaches outside the image the cell is dark
 * blue on that side. A 3-channel input is shown in colour, any other count by its first channel (the
 * projection by its sum over channels). Cells are magnified so a field is at least 64 pixels on screen.
 */
public final class AtlasFigures {

    private static final int LABEL_W = 120;
    private static final int GAP = 6;
    private static final int TEXT = 13;
    private static final Color OUTSIDE = new Color(0x20, 0x28, 0x48);

    private AtlasFigures() {
    }

    /** The whole montage as one RGB image. */
    public static ColorProcessor montage(Atlas atlas) {
        List<ColorProcessor> rows = rowImages(atlas);
        int w = rows.stream().mapToInt(ColorProcessor::getWidth).max().orElse(1);
        int h = rows.stream().mapToInt(ColorProcessor::getHeight).sum();
        ColorProcessor out = new ColorProcessor(w, Math.max(1, h));
        out.setColor(Color.WHITE);
        out.fill();
        int y = 0;
        for (ColorProcessor r : rows) {
            out.insert(r, 0, y);
            y += r.getHeight();
        }
        return out;
    }

    /** The montage as a stack, one slice per channel, each labelled "ch 12: 9/9 mitotic". */
    public static ImagePlus rowStack(Atlas atlas, String title) {
        List<ColorProcessor> rows = rowImages(atlas);
        ImageStack stack = new ImageStack(rows.get(0).getWidth(), rows.get(0).getHeight());
        for (int i = 0; i < rows.size(); i++) {
            stack.addSlice(rowLabel(atlas, atlas.rows().get(i)), rows.get(i));
        }
        return new ImagePlus(title, stack);
    }

    /** "ch 12: 9/9 mitotic". */
    static String rowLabel(Atlas atlas, Atlas.Row row) {
        int top = row.topClass(atlas.classes().size());
        return "ch " + row.channel() + (top < 0 ? "" : ": " + row.classCounts(atlas.classes().size())[top] + "/"
                + row.cells().size() + " " + atlas.classes().get(top));
    }

    private static List<ColorProcessor> rowImages(Atlas atlas) {
        int cellW = 1;
        int cellH = 1;
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (Atlas.Row row : atlas.rows()) {
            for (Atlas.Cell c : row.cells()) {
                if (c.box() == null) {
                    continue;
                }
                cellW = Math.max(cellW, (int) (c.field()[2] - c.field()[0] + 1));
                cellH = Math.max(cellH, (int) (c.field()[3] - c.field()[1] + 1));
                for (float v : c.patch()) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        cellW = Math.min(cellW, maxBox(atlas, true));
        cellH = Math.min(cellH, maxBox(atlas, false));
        int scale = Math.max(1, Math.min(4, (int) Math.ceil(64.0 / Math.max(cellW, cellH))));
        int pairW = 2 * cellW * scale + 2;
        int k = atlas.rows().stream().mapToInt(r -> r.cells().size()).max().orElse(0);
        int width = LABEL_W + Math.max(1, k) * (pairW + GAP);
        int height = cellH * scale + TEXT + GAP;
        List<ColorProcessor> out = new ArrayList<>();
        for (Atlas.Row row : atlas.rows()) {
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font("SansSerif", Font.BOLD, 12));
            g.drawString("ch " + row.channel(), 4, 16);
            g.setFont(new Font("SansSerif", Font.PLAIN, 11));
            String label = rowLabel(atlas, row);
            if (label.contains(": ")) {
                g.drawString(label.substring(label.indexOf(": ") + 2), 4, 30);
            }
            for (int i = 0; i < row.cells().size(); i++) {
                Atlas.Cell c = row.cells().get(i);
                int x = LABEL_W + i * (pairW + GAP);
                if (c.box() != null) {
                    g.drawImage(cell(c, c.patch(), cellW, cellH, lo, hi, false).getBufferedImage(), x, 0,
                            cellW * scale, cellH * scale, null);
                    g.drawImage(cell(c, c.projection(), cellW, cellH, 0, 0, true).getBufferedImage(),
                            x + cellW * scale + 2, 0, cellW * scale, cellH * scale, null);
                }
                g.setColor(Color.BLACK);
                g.setFont(new Font("SansSerif", Font.PLAIN, 10));
                String text = String.format(Locale.ROOT, "%d: %.3g %s", i + 1, c.neuron().activation(),
                        c.image() == null ? "" : stem(c.image()) + (c.slice() > 1 ? " s" + c.slice() : ""));
                g.drawString(text, x, cellH * scale + TEXT - 2);
            }
            g.dispose();
            out.add(new ColorProcessor(img));
        }
        return out;
    }

    private static int maxBox(Atlas atlas, boolean width) {
        int m = 1;
        for (Atlas.Row row : atlas.rows()) {
            for (Atlas.Cell c : row.cells()) {
                if (c.box() != null) {
                    m = Math.max(m, width ? c.box().width() : c.box().height());
                }
            }
        }
        return m;
    }

    private static String stem(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /**
     * One cell: the box's values placed where the box lies in the neuron's field (a field cut at the image's
     * left or top border puts the patch at the cell's right or bottom), the rest {@link #OUTSIDE}.
     */
    private static ColorProcessor cell(Atlas.Cell c, float[] values, int cellW, int cellH, float lo, float hi,
                                       boolean signed) {
        ColorProcessor cp = new ColorProcessor(cellW, cellH);
        cp.setColor(OUTSIDE);
        cp.fill();
        ReceptiveField.Box b = c.box();
        int w = b.width();
        int h = b.height();
        int ox = c.field()[0] < 0 ? Math.max(0, cellW - w) : 0;
        int oy = c.field()[1] < 0 ? Math.max(0, cellH - h) : 0;
        int plane = w * h;
        int channels = c.channels();
        boolean colour = channels == 3;
        float scale = signed ? robustMax(values, channels, plane, colour) : 0;
        for (int y = 0; y < Math.min(h, cellH); y++) {
            for (int x = 0; x < Math.min(w, cellW); x++) {
                int[] rgb = new int[3];
                for (int ch = 0; ch < 3; ch++) {
                    float v;
                    if (colour) {
                        v = values[ch * plane + y * w + x];
                    } else if (signed) {
                        v = 0;
                        for (int k = 0; k < channels; k++) {
                            v += values[k * plane + y * w + x];
                        }
                    } else {
                        v = values[y * w + x];
                    }
                    double t = signed ? 0.5 + 0.5 * (scale > 0 ? v / scale : 0) : (hi > lo ? (v - lo) / (hi - lo) : 0);
                    rgb[ch] = (int) Math.round(255 * Math.max(0, Math.min(1, t)));
                }
                cp.set(ox + x, oy + y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
            }
        }
        return cp;
    }

    /**
     * The 99.5th percentile of |v| (of the channel sum for a non-colour image): a few extreme pixels would
     * otherwise push the rest of the projection to grey.
     */
    private static float robustMax(float[] values, int channels, int plane, boolean colour) {
        float[] a;
        if (colour) {
            a = new float[values.length];
            for (int i = 0; i < a.length; i++) {
                a[i] = Math.abs(values[i]);
            }
        } else {
            a = new float[plane];
            for (int k = 0; k < channels; k++) {
                for (int i = 0; i < plane; i++) {
                    a[i] += values[k * plane + i];
                }
            }
            for (int i = 0; i < plane; i++) {
                a[i] = Math.abs(a[i]);
            }
        }
        java.util.Arrays.sort(a);
        return a.length == 0 ? 0 : a[Math.min(a.length - 1, (int) Math.floor(0.995 * (a.length - 1)))];
    }

    /**
     * Per class a bar plot of its {@code n} channels with the largest mean Grad-CAM weight, the channel
     * numbers under the bars.
     */
    public static List<Plot> importancePlots(Importance imp, String layer, int n) {
        List<Plot> plots = new ArrayList<>();
        for (int c = 0; c < imp.classes().size(); c++) {
            int[] top = imp.strongest(c, n);
            double[] x = new double[top.length];
            double[] y = new double[top.length];
            double max = 0;
            double min = 0;
            for (int i = 0; i < top.length; i++) {
                x[i] = i + 1;
                y[i] = imp.gradcam(c, top[i]);
                max = Math.max(max, Double.isNaN(y[i]) ? 0 : y[i]);
                min = Math.min(min, Double.isNaN(y[i]) ? 0 : y[i]);
            }
            Plot p = new Plot(String.format(Locale.ROOT, "%s (%d images)", imp.classes().get(c), imp.samples(c)),
                    "rank; above each bar its channel", "mean Grad-CAM weight");
            p.setColor(Color.BLACK, new Color(0x3B, 0x6E, 0xB4));
            p.add("separated bar", x, y);
            double hi = max > 0 ? max * 1.35 : 1;
            p.setLimits(0.4, top.length + 0.6, Math.min(0, min * 1.2), hi);
            p.setColor(Color.BLACK);
            p.setFont(new Font("SansSerif", Font.BOLD, 12));
            p.addLabel(0.02, 0.09, String.format(Locale.ROOT, "%s (%d images) – %s", imp.classes().get(c),
                    imp.samples(c), layer));
            p.setFont(new Font("SansSerif", Font.PLAIN, 11));
            for (int i = 0; i < top.length; i++) {
                p.addText(Integer.toString(top[i]), x[i] - 0.15, Math.max(0, y[i]) + 0.04 * hi);
            }
            p.setSize(420, 240);
            plots.add(p);
        }
        return plots;
    }

    /** The class plots as a stack, one slice per class (what Fiji shows). */
    public static ImagePlus importanceStack(List<Plot> plots, String title) {
        ImageStack stack = null;
        for (Plot p : plots) {
            ColorProcessor cp = (ColorProcessor) p.getProcessor().convertToRGB();
            if (stack == null) {
                stack = new ImageStack(cp.getWidth(), cp.getHeight());
            }
            stack.addSlice(p.getTitle(), cp);
        }
        return new ImagePlus(title, stack);
    }

    /** The class plots side by side, two per row (the command line's importance.png). */
    public static ColorProcessor importanceSheet(List<Plot> plots) {
        ImagePlus stack = importanceStack(plots, "importance");
        int w = stack.getWidth();
        int h = stack.getHeight();
        int cols = Math.min(2, plots.size());
        int rows = (plots.size() + cols - 1) / cols;
        ColorProcessor out = new ColorProcessor(cols * w, rows * h);
        out.setColor(Color.WHITE);
        out.fill();
        for (int i = 0; i < plots.size(); i++) {
            out.insert(stack.getStack().getProcessor(i + 1), i % cols * w, i / cols * h);
        }
        return out;
    }
}
