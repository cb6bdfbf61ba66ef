package org.cnnexplain.render;

import ij.ImagePlus;
import ij.gui.Plot;
import ij.measure.ResultsTable;
import java.awt.Color;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.explain.quality.Evaluation;

/**
 * What Evaluate shows: the AUCs and localisation scores as a Results table (one row per method),
 * the mean deletion (solid), insertion (dashed) and random-order deletion (dotted) curves of every
 * method in one ImageJ {@link Plot}, and the same curves as CSV for the command line.
 */
public final class QualityReport {

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

    private QualityReport() {
    }

    public static ResultsTable table(List<Evaluation.Scores> scores, double tolerance) {
        ResultsTable t = new ResultsTable();
        for (Evaluation.Scores s : scores) {
            t.incrementCounter();
            t.addValue("Method", s.method());
            t.addValue("Images", s.images());
            t.addValue(String.format(Locale.ROOT, "Pointing (%.0f px)", tolerance), s.pointing());
            t.addValue("Energy ratio", s.energy());
            t.addValue("Deletion AUC", s.deletionAuc());
            t.addValue("Random deletion AUC", s.randomAuc());
            t.addValue("Deletion beats random", s.deletionWins());
            t.addValue("Insertion AUC", s.insertionAuc());
        }
        t.setDecimalPlaces(t.getColumnIndex("Images"), 0);
        return t;
    }

    /** Probability of the explained class against the fraction of pixels deleted / inserted. */
    public static Plot plot(List<Evaluation.Scores> scores, String title) {
        Plot plot = new Plot(title, "fraction of pixels deleted (solid) / inserted (dashed); dotted: random deletion",
                "probability of the class");
        plot.setLimits(0, 1, 0, 1.02);
        StringBuilder legend = new StringBuilder();
        for (int m = 0; m < scores.size(); m++) {
            Evaluation.Scores s = scores.get(m);
            double[] x = fractions(s.deletion().length);
            Color c = COLORS[m % COLORS.length];
            plot.setColor(c);
            plot.setLineWidth(2);
            plot.add("line", x, s.deletion());
            plot.setLineWidth(1);
            plot.add("dashed", x, s.insertion());
            plot.add("dotted", x, s.random());
            legend.append(String.format(Locale.ROOT, "%s deletion (AUC %.3f)\t%s insertion (AUC %.3f)\t%s random\t",
                    s.method(), s.deletionAuc(), s.method(), s.insertionAuc(), s.method()));
        }
        plot.setColor(Color.BLACK);
        plot.addLegend(legend.toString().replaceAll("\t+$", ""));
        return plot;
    }

    public static ImagePlus plotImage(List<Evaluation.Scores> scores, String title) {
        return plot(scores, title).getImagePlus();
    }

    /** Columns fraction, then per method deletion, insertion and random deletion. */
    public static String csv(List<Evaluation.Scores> scores) {
        StringBuilder b = new StringBuilder("fraction");
        for (Evaluation.Scores s : scores) {
            b.append(',').append(s.method()).append("_deletion,").append(s.method()).append("_insertion,")
                    .append(s.method()).append("_random_deletion");
        }
        b.append('\n');
        int n = scores.get(0).deletion().length;
        double[] x = fractions(n);
        for (int i = 0; i < n; i++) {
            b.append(String.format(Locale.ROOT, "%.4f", x[i]));
            for (Evaluation.Scores s : scores) {
                b.append(String.format(Locale.ROOT, ",%.6f,%.6f,%.6f", s.deletion()[i], s.insertion()[i], s.random()[i]));
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static double[] fractions(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i / (double) (n - 1);
        }
        return x;
    }
}
