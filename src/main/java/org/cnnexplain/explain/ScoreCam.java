package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.image.Resampling;

/**
 * Score-CAM (Wang et al. 2020): no gradients. Each channel, upsampled to the
 * input and scaled to [0, 1], masks the input; the target score of each masked
 * input, softmaxed over channels, is that channel's weight.
 *
 * <p>One forward pass per distinct masked input, {@code batchSize} at a time, and no more: channels with
 * identical maps share a mask, and every channel whose upsampled map is constant (a dead ReLU channel,
 * say) has the mask 0 — one masked input, all zeros, for all of them. The masks are built on the model's
 * device as tensor ops that reproduce {@link Resampling#linear} and pytorch-grad-cam's
 * {@code (m - min) / (max - min + 1e-8)} operation for operation in float32, so the masked inputs, and
 * hence the weights, are those of one forward pass per channel (ReferenceScoreCam in the tests checks it).
 * The upsampling is exact as a product with one-hot selection matrices (each output sums one term)
 * followed by the two weights, in the order {@code Resampling} evaluates them.
 *
 * <p>By default ({@code batchSize} 0) a pass takes as many masked inputs as make about 128 Ki input
 * values ({@value #VALUES_PER_PASS}; 8 of the demo's 128 × 128, 32 of a 64 × 64 image, 1 at 3 × 224²):
 * measured with SpeedBenchmark (thread CPU time), the demo model costs the same at 4 and 8 per pass and
 * 1.7 times as much at 16, the reduced resnet18 (64²) is cheapest at 32, and full-size resnet18 at 224²
 * costs more per image at 16 than at 1 — larger batches get slower per image once their activations
 * outgrow the caches. (That was with oneDNN's convolutions. With libtorch's own, run in chunks of at most
 * 1 MiB of lowered input per call (graph.ConvKernels), the demo costs about the same at 4 and 8 per pass
 * and no less at 16 (1.0–1.45× under load) — its convolutions run sample by sample at 128² anyway — and the
 * reduced resnet18 is still cheapest with all its 20 masked inputs in one pass: 4 per pass cost 1.2×, 1 per
 * pass 2.4× as much.)
 */
public class ScoreCam extends CamMethod {

    /** {@code batchSize} meaning: chosen from the input size. */
    public static final int DEFAULT_BATCH = 0;

    static final int VALUES_PER_PASS = 1 << 17;

    private final int batchSize;

    public ScoreCam() {
        this(DEFAULT_BATCH);
    }

    public ScoreCam(int batchSize) {
        this.batchSize = Math.max(0, batchSize);
    }

    @Override
    public String name() {
        return "scorecam";
    }

    @Override
    public String title() {
        return "Score-CAM";
    }

    @Override
    protected boolean usesGradients() {
        return false;
    }

    @Override
    protected float[] weights(Sample s) {
        Context ctx = s.context();
        int[] firstWith = firstWithSameMap(s);
        int[] distinct = Arrays.stream(firstWith).distinct().toArray();
        float[] scores = new float[s.channels()];
        try (NDManager sub = ctx.run().newSubManager()) {
            NDArray image = ctx.input().get(sub, new NDIndex("{}:{}", s.index(), s.index() + 1));   // (1, inC, spatial...)
            NDList masks = masks(sub, s, distinct, image.getShape());
            float[] range = masks.get(1).toFloatArray();
            NDArray unit = masks.get(0);   // (distinct, 1, spatial...)
            // one masked input per distinct mask; every constant map gives mask 0: keep the first of those
            List<Integer> rows = new ArrayList<>();
            int[] rowOf = new int[distinct.length];
            int zeroRow = -1;
            for (int i = 0; i < distinct.length; i++) {
                if (range[i] == 0f && zeroRow >= 0) {
                    rowOf[i] = zeroRow;
                    continue;
                }
                rowOf[i] = rows.size();
                if (range[i] == 0f) {
                    zeroRow = rows.size();
                }
                rows.add(i);
            }
            float[] rowScores = new float[rows.size()];
            int perPass = batchSize > 0 ? batchSize : (int) Math.max(1, VALUES_PER_PASS / image.size());
            for (int from = 0; from < rows.size(); from += perPass) {
                int to = Math.min(rows.size(), from + perPass);
                try (NDManager pass = sub.newSubManager()) {
                    NDArray chosen;
                    if (rows.size() == distinct.length) {   // every mask, in order: a slice, no gather
                        chosen = unit.get(new NDIndex("{}:{}", from, to));
                    } else {
                        long[] pick = rows.subList(from, to).stream().mapToLong(Integer::longValue).toArray();
                        chosen = unit.get(new NDIndex("{}", Tensors.of(pass, pick)));
                    }
                    chosen.attach(pass);   // so that the masked batch (a result of it) is freed with the pass
                    NDArray x = chosen.mul(image);
                    NDArray logits = ctx.model().forward(pass, x, List.of()).logits();
                    int[] cls = new int[to - from];
                    Arrays.fill(cls, s.cls());
                    System.arraycopy(ctx.target().score(logits, cls, ctx.model().activation(logits)).toFloatArray(), 0, rowScores, from, to - from);
                }
            }
            Map<Integer, Integer> distinctIndex = new HashMap<>();
            for (int i = 0; i < distinct.length; i++) {
                distinctIndex.put(distinct[i], i);
            }
            for (int k = 0; k < s.channels(); k++) {
                scores[k] = rowScores[rowOf[distinctIndex.get(firstWith[k])]];
            }
        }
        return softmax(scores);
    }

    /** For every channel, the first channel whose layer map is bit-identical (itself if none before). */
    private static int[] firstWithSameMap(Sample s) {
        int n = s.positions();
        Map<ByteBuffer, Integer> seen = new HashMap<>();
        int[] first = new int[s.channels()];
        for (int k = 0; k < s.channels(); k++) {
            ByteBuffer key = ByteBuffer.allocate(4 * n);
            key.asFloatBuffer().put(s.a(), k * n, n);
            final int channel = k;
            first[k] = seen.computeIfAbsent(key, b -> channel);
        }
        return first;
    }

    /**
     * The [0, 1]-scaled upsampled maps of the {@code channels} as (count, 1, spatial...) and each map's
     * range max - min before scaling (0: constant), on the model's device.
     */
    private static NDList masks(NDManager m, Sample s, int[] channels, Shape imageShape) {
        int[] size = s.size();
        int n = s.positions();
        float[] maps = new float[channels.length * n];
        for (int i = 0; i < channels.length; i++) {
            System.arraycopy(s.a(), channels[i] * n, maps, i * n, n);
        }
        long[] dims = new long[size.length + 1];
        dims[0] = channels.length;
        for (int a = 0; a < size.length; a++) {
            dims[a + 1] = size[a];
        }
        NDArray x = Tensors.of(m, maps, new Shape(dims));
        int spatialFrom = imageShape.dimension() - size.length;
        for (int a = 0; a < size.length; a++) {
            int out = (int) imageShape.get(spatialFrom + a);
            if (out != size[a]) {
                x = alongAxis(m, x, a + 1, out);
            }
        }
        long[] unitShape = x.getShape().getShape();
        NDArray flat = x.reshape(channels.length, -1);
        NDArray min = flat.min(new int[] {1}, true);
        NDArray range = flat.max(new int[] {1}, true).sub(min);
        NDArray unit = flat.sub(min).div(range.add(Tensors.scalar(m, 1e-8f))).reshape(new Shape(unitShape));
        return new NDList(unit.expandDims(1), range.flatten());
    }

    /**
     * Linear resampling of one axis, as {@link Resampling#linear} computes it: lo·(1 − f) + hi·f, where lo
     * and hi are the source pixels gathered along the axis (a copy, so exact).
     */
    private static NDArray alongAxis(NDManager m, NDArray x, int axis, int outLen) {
        long[] shape = x.getShape().getShape();
        Resampling.Axis r = Resampling.axis((int) shape[axis], outLen);
        long[] lo = new long[outLen];
        long[] hi = new long[outLen];
        float[] wLo = new float[outLen];
        for (int i = 0; i < outLen; i++) {
            lo[i] = r.lo()[i];
            hi[i] = r.hi()[i];
            wLo[i] = 1 - r.frac()[i];
        }
        long[] weightShape = new long[shape.length - axis];   // (outLen, 1, ...): broadcast over the axes after it
        Arrays.fill(weightShape, 1);
        weightShape[0] = outLen;
        NDArray atLo = x.get(new NDIndex().addAllDim(axis).addIndices("{}", Tensors.of(m, lo)));
        NDArray atHi = x.get(new NDIndex().addAllDim(axis).addIndices("{}", Tensors.of(m, hi)));
        return atLo.mul(Tensors.of(m, wLo, new Shape(weightShape)))
                .add(atHi.mul(Tensors.of(m, r.frac(), new Shape(weightShape))));
    }

    private static float[] softmax(float[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (float f : v) {
            max = Math.max(max, f);
        }
        double sum = 0;
        double[] e = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            e[i] = Math.exp(v[i] - max);
            sum += e[i];
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (e[i] / sum);
        }
        return out;
    }
}
