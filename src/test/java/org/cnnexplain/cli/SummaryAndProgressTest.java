package org.cnnexplain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.ResultsTable;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** summary.png / summary.html mark wrong predictions; the progress line on a terminal and in a log. */
class SummaryAndProgressTest {

    @TempDir
    Path tmp;

    private static ResultsTable prediction(String cls, double p) {
        ResultsTable t = new ResultsTable();
        t.incrementCounter();
        t.addValue("Predicted", cls);
        t.addValue("Probability", p);
        return t;
    }

    @Test
    void wrongPredictionsAreMarkedInTheSheetAndThePage() throws Exception {
        OutputFiles out = new OutputFiles(tmp, false);
        Summary s = new Summary(out, "test run");
        ByteProcessor grey = new ByteProcessor(64, 64);
        grey.setColor(200);
        grey.fillOval(20, 20, 20, 20);
        ColorProcessor overlay = new ColorProcessor(64, 64);
        for (String name : List.of("ok.tif", "bad file.tif")) {
            ExplainCommand.Explained e = new ExplainCommand.Explained(null, grey, overlay,
                    new ArrayList<>(List.of(name.replace(".tif", "_gradcam.tif"))), null);
            s.add(name, e, prediction("mitotic", 0.91), name.startsWith("ok") ? "mitotic" : "empty");
        }
        s.write();
        ImagePlus sheet = IJ.openImage(tmp.resolve("summary.png").toString());
        ColorProcessor px = (ColorProcessor) sheet.getProcessor();
        int tileW = 2 * 160 + 2 + 8;   // two panels, their gap, the gap between tiles
        assertEquals(0, redPixels(px, 0, tileW), "the right prediction has no red frame");
        assertTrue(redPixels(px, tileW, 2 * tileW) > 500, "the wrong prediction is framed in red");
        String html = Files.readString(tmp.resolve("summary.html"));
        assertTrue(html.contains("1 predicted wrongly"), html);
        assertTrue(html.contains("<tr class=\"wrong\"><td>bad file.tif</td><td>mitotic</td><td>0.9100</td><td>empty</td>"),
                html);
        assertTrue(html.contains("<a href=\"bad%20file_gradcam.tif\">bad file_gradcam.tif</a>"), html);
    }

    private static int redPixels(ColorProcessor px, int x0, int x1) {
        int n = 0;
        for (int y = 0; y < px.getHeight(); y++) {
            for (int x = x0; x < Math.min(x1, px.getWidth()); x++) {
                int[] c = px.getPixel(x, y, null);
                n += c[0] > 150 && c[1] < 60 && c[2] < 60 ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void progressRewritesOneLineOnATerminalAndPrintsPlainLinesElsewhere() {
        AtomicLong now = new AtomicLong(0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress live = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 4, "images", true, now::get);
        for (int i = 0; i < 4; i++) {
            now.addAndGet(500);
            live.step();
        }
        String shown = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, shown.chars().filter(c -> c == '\n').count(), "one line, rewritten: " + shown);
        assertEquals(4, shown.chars().filter(c -> c == '\r').count(), "rewritten 4 times: " + shown);
        assertTrue(shown.contains("\rcnn-explain: 1/4 images, 2.0 images/s, ETA 0:02"), shown);
        assertTrue(shown.endsWith("\rcnn-explain: 4/4 images, 2.0 images/s, done in 0:02\n"), shown);

        bytes.reset();
        now.set(0);
        Progress log = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), 100, "planes", false, now::get);
        for (int i = 0; i < 100; i++) {
            now.addAndGet(1000);   // one plane a second: a line every 10 s, and the last
            log.step();
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(10, lines.size(), lines.toString());
        assertEquals("cnn-explain: 10/100 planes, 1.0 planes/s, ETA 1:30", lines.get(0));
        assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("\r"));
        assertEquals("1:01:05", Progress.clockTime(3665));
    }
}
