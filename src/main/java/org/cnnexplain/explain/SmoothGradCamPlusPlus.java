package org.cnnexplain.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.cnnexplain.UserError;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;

/**
 * Smooth Grad-CAM++ (Omeiza et al. 2019): Grad-CAM++ whose derivative terms are averaged over
 * {@code samples} noisy copies of the input (SmoothGrad's noise, σ = {@code noise} · the input's range,
 * see {@link Noise}). With D¹, D², D³ the means over the copies of g, g², g³ (g = dy^c/dA_k(i,j)):
 * <pre>
 * alpha_k(i,j) = D²(i,j) / (2 D²(i,j) + sum_ab A_k(a,b) · D³(i,j) + 1e-6)   (0 where D² = 0)
 * w_k          = sum_ij alpha_k(i,j) · ReLU(D¹(i,j))
 * map          = ReLU(sum_k w_k A_k)
 * </pre>
 * A is the activation of the image itself (not of a noisy copy), and c the class of the image itself:
 * a copy whose own top class differs is still explained for c.
 *
 * <p>Where this follows the paper and where torch-cam differs:
 * <ul>
 *   <li>Numerator: the paper writes the mean first-order derivative D¹; that does not reduce to Grad-CAM++
 *       for one noise-free copy (Grad-CAM++'s closed form has g² there) and mixes orders. Here, as in
 *       torch-cam's "personal correction", the numerator is D², so {@code samples=1 noise=0} is exactly
 *       Grad-CAM++.</li>
 *   <li>ReLU(gradient) in w_k: the paper averages the first-order derivative too; here ReLU(D¹). torch-cam
 *       multiplies alpha by the ReLU of the gradient of its <em>last</em> noisy copy only.</li>
 *   <li>torch-cam adds eps = 1e-8 everywhere instead of zeroing alpha where D² = 0, and draws
 *       σ as an absolute value (std=0.3 by default) rather than a fraction of the input's range.</li>
 * </ul>
 * At a layer followed only by global average pooling and a linear layer (the demo's block4) the gradient
 * is the same for every input, so there the noise changes nothing and this is Grad-CAM++.
 * Copies of one image run through the model {@value #CHUNK} at a time.
 */
public class SmoothGradCamPlusPlus extends CamMethod {

    static final int CHUNK = 16;

    private final int samples;
    private final double noise;
    private final Noise.Source source;

    /** {@code samples} copies with σ = noise · range, drawn from {@code seed}. */
    public SmoothGradCamPlusPlus(int samples, double noise, long seed) {
        this(samples, noise, Noise.gaussian(seed));
    }

    /** Test hook: the noise comes from {@code source} (PyTorch's draws for the goldens). */
    SmoothGradCamPlusPlus(int samples, double noise, Noise.Source source) {
        if (samples < 1) {
            throw new UserError("samples must be at least 1 (the number of noisy copies), not " + samples);
        }
        if (!(noise >= 0) || Double.isInfinite(noise)) {
            throw new UserError("noise must be a fraction of the input's range ≥ 0 (e.g. 0.15), not " + noise);
        }
        this.samples = samples;
        this.noise = noise;
        this.source = source;
    }

    @Override
    public String name() {
        return "smoothgradcampp";
    }

    @Override
    public String title() {
        return "Smooth Grad-CAM++";
    }

    @Override
    public CamResult explain(ExplainableModel model, NDManager run, NDArray input, Layer layer, Target target) {
        LayerGradients clean = LayerGradients.activationsOnly(model, run, input, layer, target);
        long[] shape = clean.activations().getShape().getShape();
        int n = (int) shape[0];
        int per = (int) (clean.activations().getShape().size() / n);
        float[][] moments = new float[3][n * per];   // D¹, D², D³
        long[] inShape = input.getShape().getShape();
        Shape one = new Shape(inShape).slice(1);
        for (int i = 0; i < n; i++) {
            float[] x = input.get(i).toFloatArray();
            Target fixed = target.withClass(clean.classes()[i]);
            double[][] sums = new double[3][per];
            for (int from = 0; from < samples; from += CHUNK) {
                int m = Math.min(CHUNK, samples - from);
                try (NDManager sub = run.newSubManager()) {
                    NDArray copies = Tensors.of(sub, Noise.copies(x, i, from, m, noise, source), new Shape(m).addAll(one));
                    float[] g = LayerGradients.compute(model, sub, copies, layer, fixed).gradients().toFloatArray();
                    for (int k = 0; k < m; k++) {
                        for (int j = 0; j < per; j++) {
                            double v = g[k * per + j];
                            sums[0][j] += v;
                            sums[1][j] += v * v;
                            sums[2][j] += v * v * v;
                        }
                    }
                }
            }
            for (int o = 0; o < 3; o++) {
                for (int j = 0; j < per; j++) {
                    moments[o][i * per + j] = (float) (sums[o][j] / samples);
                }
            }
        }
        return maps(shape, clean.activations().toFloatArray(), moments[0], clean.classes(),
                new Context(model, run, input, target, layer),
                s -> weighted(s, GradCamPlusPlus.weights(s, (order, j) -> order == 1 ? s.g()[j]
                        : moments[order - 1][s.index() * per + j])));
    }
}
