package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.cnnexplain.image.Resampling;
import org.cnnexplain.graph.Tensors;

/**
 * Score-CAM computed the straightforward way, as cnn-explain did before its exact savings: every
 * channel's mask built in Java (upsampled with {@link Resampling#linear}, scaled to [0, 1]), one masked
 * input per channel, {@code batchSize} per forward pass. The reference that the optimised
 * {@link ScoreCam} must reproduce, and the "before" of its benchmark.
 */
public class ReferenceScoreCam extends CamMethod {

    private final int batchSize;

    public ReferenceScoreCam() {
        this(16);
    }

    public ReferenceScoreCam(int batchSize) {
        this.batchSize = Math.max(1, batchSize);
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
        long[] in = ctx.input().getShape().getShape();
        int inC = (int) in[1];
        int[] inSize = spatialSize(in);
        int[] maskSize = s.size().length == 3 ? inSize : new int[] {inSize[1], inSize[2]};
        int plane = inSize[0] * inSize[1] * inSize[2];
        float[] image = ctx.input().get(s.index()).toFloatArray();
        float[] scores = new float[s.channels()];
        for (int from = 0; from < s.channels(); from += batchSize) {
            int to = Math.min(s.channels(), from + batchSize);
            float[] batch = new float[(to - from) * inC * plane];
            for (int k = from; k < to; k++) {
                float[] mask = unitScaled(Resampling.linear(java.util.Arrays.copyOfRange(s.a(),
                        k * s.positions(), (k + 1) * s.positions()), s.size(), maskSize));
                for (int c = 0; c < inC; c++) {
                    int base = ((k - from) * inC + c) * plane;
                    for (int p = 0; p < plane; p++) {
                        batch[base + p] = image[c * plane + p] * mask[p];
                    }
                }
            }
            try (NDManager sub = ctx.run().newSubManager()) {
                NDArray x = Tensors.of(sub, batch, new Shape(to - from).addAll(new Shape(in).slice(1)));
                NDArray logits = ctx.model().forward(sub, x, List.of()).logits();
                int[] cls = new int[to - from];
                java.util.Arrays.fill(cls, s.cls());
                System.arraycopy(ctx.target().score(logits, cls, ctx.model().activation(logits)).toFloatArray(), 0, scores, from, to - from);
            }
        }
        return softmax(scores);
    }

    /** (m - min) / (max - min + 1e-8), as pytorch-grad-cam scales each upsampled channel. */
    private static float[] unitScaled(float[] m) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : m) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float range = max - min + 1e-8f;
        for (int i = 0; i < m.length; i++) {
            m[i] = (m[i] - min) / range;
        }
        return m;
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
