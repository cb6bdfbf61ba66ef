package org.cnnexplain.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cnnexplain.graph.MemoryCheck;
import org.cnnexplain.testutil.StressCases;

/**
 * The long version of {@code MemoryStressTest}: thousands of runs of every family and method in
 * one JVM under the strict memory mode, each result compared bit for bit with a reference run in a
 * fresh JVM, plus the process growth.
 *
 * <p>Usage: {@code .ci/bench SoakBenchmark [runs=10000] [gcEvery=1]} — a garbage collection after
 * every {@code gcEvery}-th node (1 = every node; larger is faster). Prints the number of runs whose
 * result differs (must be 0), the time and the resident set before and after.
 */
public final class SoakBenchmark {

    private SoakBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int gcEvery = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        System.out.printf(Locale.ROOT, "machine: %d cores, java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        Map<String, String> reference = StressCases.referenceFromFreshJvm();
        List<StressCases.Case> cases = StressCases.all();
        System.out.printf(Locale.ROOT, "reference: %d cases from a fresh JVM%n", reference.size());
        MemoryCheck.setGcEvery(gcEvery);
        int differ = 0;
        long rssStart = -1;
        long t0 = System.nanoTime();
        try (StressCases.Models models = new StressCases.Models()) {
            for (int i = 0; i < runs; i++) {
                StressCases.Case c = cases.get(i % cases.size());
                if (!StressCases.fingerprint(models, c).equals(reference.get(c.name()))) {
                    differ++;
                    System.out.println("DIFFERS: run " + i + ", " + c.name());
                }
                if (i == cases.size() - 1) {
                    System.gc();
                    rssStart = MemoryBenchmark.rssKb();   // after one round: every model loaded and warm
                }
                if ((i + 1) % 1000 == 0) {
                    System.out.printf(Locale.ROOT, "%d runs, %d differ, %.0f s, RSS %.0f MB%n", i + 1, differ,
                            (System.nanoTime() - t0) / 1e9, MemoryBenchmark.rssKb() / 1024.0);
                }
            }
        }
        System.gc();
        long rssEnd = MemoryBenchmark.rssKb();
        System.out.printf(Locale.ROOT, "%d runs of %d cases (strict memory mode, gc every %d nodes): %d differ, %.0f s;"
                + " RSS after the first round %.0f MB, at the end %.0f MB: %s%n", runs, cases.size(), gcEvery, differ,
                (System.nanoTime() - t0) / 1e9, rssStart / 1024.0, rssEnd / 1024.0, differ == 0 ? "PASS" : "FAIL");
        System.exit(differ == 0 ? 0 : 1);
    }
}
