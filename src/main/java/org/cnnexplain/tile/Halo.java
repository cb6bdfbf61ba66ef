package org.cnnexplain.tile;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cnnexplain.graph.Graph;
import org.cnnexplain.graph.Node;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;

/**
 * How far an output pixel of a per-pixel model sees: the half-width of its receptive field in input
 * pixels, walked through the graph, and the model's coarsest stride (tiles must start at its
 * multiples, or pooling would see a shifted grid).
 *
 * <p>Each tensor carries its stride j (input pixels per position, from the layer table's shapes) and
 * its reach r (input pixels either side that reach one of its positions). A convolution or pooling
 * window of k taps at dilation d adds {@code (k - 1) / 2 · d · j} of its input, a transposed convolution
 * the same in its output's stride, a resize one position of its input (linear interpolation reads the
 * neighbours); every other op passes on the largest reach of its inputs (a skip connection's short
 * reach is outreached by the path through the bottleneck). The tiles' halo is the output's reach,
 * rounded up to the stride.
 *
 * <pre>{@code
 * Halo h = Halo.of(unet, new long[] {1, 1, 128, 128});
 * h.reach();    // e.g. 22
 * h.stride();   // 4
 * h.halo();     // 24
 * }</pre>
 */
public record Halo(int reach, int stride) {

    private static final List<String> WINDOWS = List.of("Conv", "MaxPool", "AveragePool", "LpPool");

    /** The reach and stride of {@code m}'s output for an input of {@code shape} (N, C, H, W). */
    public static Halo of(ExplainableModel m, long[] shape) {
        Graph g = m.requireGraph("fit=tile with a halo (it reads the receptive field from the graph)");
        Map<String, long[]> shapes = new HashMap<>();
        for (Layer l : m.layers(shape)) {
            shapes.put(l.output(), l.shape());
        }
        Map<String, Double> reach = new HashMap<>();
        String input = g.inputs().get(0).name();
        shapes.put(input, shape);
        reach.put(input, 0.0);
        long coarsest = 1;
        for (Node n : g.nodes()) {
            double r = 0;
            double jIn = 0;
            for (String in : n.inputs()) {
                Double ri = reach.get(in);
                if (ri != null) {
                    r = Math.max(r, ri);
                    jIn = Math.max(jIn, jump(shapes.get(in), shape));
                }
            }
            if (WINDOWS.contains(n.opType())) {
                r += (taps(n, g) - 1) / 2.0 * dilation(n) * jIn;
            } else if (n.opType().equals("ConvTranspose")) {
                double jOut = jump(shapes.get(n.outputs().get(0)), shape);
                r += (taps(n, g) - 1) / 2.0 * dilation(n) * jOut;
            } else if (n.opType().equals("Resize") || n.opType().equals("Upsample")) {
                r += jIn;
            }
            for (String out : n.outputs()) {
                if (!n.inputs().isEmpty() && n.inputs().stream().anyMatch(reach::containsKey)) {
                    reach.put(out, r);
                    coarsest = Math.max(coarsest, Math.round(jump(shapes.get(out), shape)));
                }
            }
        }
        Double out = reach.get(m.outputName());
        return new Halo((int) Math.ceil(out == null ? 0 : out), (int) coarsest);
    }

    /** The reach rounded up to a multiple of the stride. */
    public int halo() {
        return (reach + stride - 1) / stride * stride;
    }

    /** Input pixels per position of a tensor of {@code s} (1 when it is not spatial). */
    private static double jump(long[] s, long[] input) {
        if (s == null || s.length != input.length || s[s.length - 1] <= 1 && s[s.length - 2] <= 1) {
            return 1;
        }
        return Math.max(input[input.length - 1] / (double) s[s.length - 1],
                input[input.length - 2] / (double) s[s.length - 2]);
    }

    private static long taps(Node n, Graph g) {
        long[] k = n.attributes().getInts("kernel_shape");
        if ((k == null || k.length == 0) && n.inputs().size() > 1 && g.constants().get(n.inputs().get(1)) != null) {
            long[] w = g.constants().get(n.inputs().get(1)).getShape().getShape();
            k = java.util.Arrays.copyOfRange(w, 2, w.length);
        }
        long max = 1;
        for (long v : k == null ? new long[0] : k) {
            max = Math.max(max, v);
        }
        return max;
    }

    private static long dilation(Node n) {
        long[] d = n.attributes().getInts("dilations");
        long max = 1;
        for (long v : d == null ? new long[0] : d) {
            max = Math.max(max, v);
        }
        return max;
    }
}
