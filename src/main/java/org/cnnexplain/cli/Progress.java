package org.cnnexplain.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a run over many images (or the planes of one stack) on stderr:
 * on a terminal one line rewritten in place, elsewhere (a log file, a pipe) a
 * plain line at most every {@link #PLAIN_EVERY_MS} and one at the end.
 *
 * <pre>
 * cnn-explain: 12/60 images, 3.1 images/s, ETA 0:15
 * </pre>
 * Hand-written rather than a progress-bar library: one line of text is all it draws, and the
 * libraries pull in a terminal toolkit (JLine) that ImageJ's class path does not need.
 */
final class Progress {

    static final long PLAIN_EVERY_MS = 10_000;
    private static final long TERMINAL_EVERY_MS = 200;

    private final PrintStream err;
    private final int total;
    private final String unit;
    private final boolean terminal;
    private final LongSupplier clock;
    private final long start;
    private long lastShown;
    private int done;
    private int width;

    /** A silent progress, for {@code --quiet} and runs of one single-plane image. */
    static final Progress NONE = new Progress(null, 0, "", false, System::currentTimeMillis);

    Progress(PrintStream err, int total, String unit, boolean terminal, LongSupplier clock) {
        this.err = err;
        this.total = total;
        this.unit = unit;
        this.terminal = terminal;
        this.clock = clock;
        this.start = clock.getAsLong();
        this.lastShown = start;
    }

    /**
     * For the command line: silent when {@code quiet} or when there is only one unit; a live line when
     * stderr is the process's own and a console is attached.
     */
    static Progress of(PrintStream err, int total, String unit, boolean quiet) {
        if (quiet || total <= 1) {
            return NONE;
        }
        boolean terminal = err == System.err && System.console() != null;
        return new Progress(err, total, unit, terminal, System::currentTimeMillis);
    }

    /** One more unit finished. */
    void step() {
        if (err == null) {
            return;
        }
        done++;
        long now = clock.getAsLong();
        boolean last = done == total;
        if (last || now - lastShown >= (terminal ? TERMINAL_EVERY_MS : PLAIN_EVERY_MS)) {
            lastShown = now;
            show(line(now), last);
        }
    }

    /** Units finished so far is now {@code n} (a count that jumps, such as tiles done in batches). */
    void advanceTo(int n) {
        if (err == null || n <= done) {
            return;
        }
        done = n - 1;
        step();
    }

    /** Clears a live line before other messages are printed, so they do not run into it. */
    void interrupt() {
        if (err != null && terminal && width > 0) {
            err.print("\r" + " ".repeat(width) + "\r");
            err.flush();
            width = 0;
        }
    }

    String line(long now) {
        double seconds = Math.max(1e-3, (now - start) / 1000.0);
        double rate = done / seconds;
        String text = String.format(Locale.ROOT, "cnn-explain: %d/%d %s, %.1f %s/s", done, total, unit, rate, unit);
        if (done < total) {
            return text + ", ETA " + clockTime((total - done) / Math.max(rate, 1e-9));
        }
        return text + ", done in " + clockTime(seconds);
    }

    private void show(String text, boolean last) {
        if (terminal) {
            err.print("\r" + text + " ".repeat(Math.max(0, width - text.length())) + (last ? "\n" : ""));
            width = last ? 0 : text.length();
        } else {
            err.println(text);
        }
        err.flush();
    }

    static String clockTime(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
