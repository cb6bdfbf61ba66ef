package org.cnnexplain.cli;

import ij.measure.ResultsTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.render.ContactSheet;

/**
 * {@code summary.png} and {@code summary.html} of a run: a contact sheet of every
 * image beside its overlay, labelled with file name, prediction and probability
 * (and the truth where it is known, wrong predictions in red), and a page that
 * shows the sheet and links each image's files.
 */
final class Summary {

    static final int COLUMNS = 6;

    private record Entry(String image, String predicted, double probability, int planes, String truth,
                         List<String> files, ContactSheet.Tile tile) {
        boolean wrong() {
            return truth != null && !truth.equals(predicted);
        }
    }

    private final OutputFiles output;
    private final String title;
    private final List<Entry> entries = new ArrayList<>();

    Summary(OutputFiles output, String title) {
        this.output = output;
        this.title = title == null ? "cnn-explain summary" : title;
        output.claim("summary.png");
        output.claim("summary.html");
    }

    /**
     * One image: its first plane and overlay from {@code e}, the prediction of its first plane
     * from {@code predictions} (the Predict command's table), and the truth if known (else null).
     */
    void add(String image, ExplainCommand.Explained e, ResultsTable predictions, String truth) {
        ResultsTable t = predictions != null ? predictions : e.predictions();
        String predicted = t.getStringValue("Predicted", 0);
        double p = t.getValue("Probability", 0);
        int planes = t.size();
        List<String> lines = new ArrayList<>();
        lines.add(image + (planes > 1 ? " (" + planes + " planes)" : ""));
        lines.add(String.format(Locale.ROOT, "%s%s  p=%.3f", planes > 1 ? "plane 1: " : "", predicted, p));
        boolean wrong = truth != null && !truth.equals(predicted);
        if (truth != null) {
            lines.add("truth " + truth + (wrong ? "  - WRONG" : ""));
        }
        entries.add(new Entry(image, predicted, p, planes, truth, List.copyOf(e.files()),
                new ContactSheet.Tile(e.firstPlane(), e.firstOverlay(), lines, wrong)));
    }

    void write() {
        if (entries.isEmpty()) {
            return;
        }
        output.png("summary.png", ContactSheet.draw(entries.stream().map(Entry::tile).toList(), COLUMNS));
        output.text("summary.html", html());
    }

    String html() {
        boolean truth = entries.stream().anyMatch(e -> e.truth() != null);
        long wrong = entries.stream().filter(Entry::wrong).count();
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(esc(title)).append("</title>\n<style>body{font-family:sans-serif;margin:1em}"
                        + "table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;"
                        + "text-align:left}tr.wrong{background:#fdd}img.sheet{max-width:100%}</style></head><body>\n")
                .append("<h1>").append(esc(title)).append("</h1>\n<p>").append(entries.size()).append(" images");
        if (truth) {
            b.append(", ").append(wrong).append(" predicted wrongly (red)");
        }
        b.append(". Each image is shown beside its overlay; the files hold the raw maps.</p>\n")
                .append("<p><a href=\"summary.png\"><img class=\"sheet\" src=\"summary.png\" alt=\"contact sheet\"></a></p>\n")
                .append("<table><tr><th>image</th><th>predicted</th><th>probability</th>")
                .append(truth ? "<th>truth</th>" : "").append("<th>files</th></tr>\n");
        for (Entry e : entries) {
            b.append(e.wrong() ? "<tr class=\"wrong\">" : "<tr>").append("<td>").append(esc(e.image()))
                    .append(e.planes() > 1 ? " (" + e.planes() + " planes)" : "").append("</td><td>")
                    .append(esc(e.predicted())).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%.4f", e.probability())).append("</td>");
            if (truth) {
                b.append("<td>").append(e.truth() == null ? "" : esc(e.truth())).append("</td>");
            }
            b.append("<td>");
            for (String f : e.files()) {
                b.append("<a href=\"").append(esc(href(f))).append("\">").append(esc(f)).append("</a> ");
            }
            b.append("</td></tr>\n");
        }
        return b.append("</table>\n</body></html>\n").toString();
    }

    /** A file name as a relative link: the characters a URL path cannot hold as they are, escaped. */
    static String href(String file) {
        return file.replace("%", "%25").replace(" ", "%20").replace("#", "%23").replace("?", "%3F");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
