package org.cnnexplain.explain.maximize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.cnnexplain.graph.Tensors;

/**
 * The random view the model gets of each image in one step: turned by θ, scaled by s and shifted by
 * (tx, ty) whole pixels about the image centre, sampled bilinearly with mirrored edges. Output pixel o
 * reads the image at R(−θ)·(o − c)/s + c − t. It is one gather of the four neighbours of every output
 * pixel and a weighted sum, so autograd carries the gradient back to the image.
 *
 * <p>Each sample draws its own θ, s and t from its own random stream, so a unit's image does not depend on
 * which other units share its batch.
 */
final class RandomWarp {

    /** One sample's warp. */
    record Draw(double angle, double scale, int tx, int ty) {

        static Draw of(SplittableRandom r, Regularisers reg) {
            double angle = reg.rotation() > 0 ? Math.toRadians(r.nextDouble(-reg.rotation(), reg.rotation())) : 0;
            double scale = reg.scaling() > 0 ? r.nextDouble(1 - reg.scaling(), 1 + reg.scaling()) : 1;
            int tx = reg.jitter() > 0 ? r.nextInt(-reg.jitter(), reg.jitter() + 1) : 0;
            int ty = reg.jitter() > 0 ? r.nextInt(-reg.jitter(), reg.jitter() + 1) : 0;
            return new Draw(angle, scale, tx, ty);
        }
    }

    private RandomWarp() {
    }

    /** x (N, C, H, W) seen through {@code draws} (one per sample); new tensors in x's manager. */
    static NDArray apply(NDArray x, Draw[] draws) {
        long[] shape = x.getShape().getShape();
        int n = (int) shape[0];
        int c = (int) shape[1];
        int h = (int) shape[2];
        int w = (int) shape[3];
        int hw = h * w;
        long[] index = new long[n * c * 4 * hw];
        float[] weight = new float[n * 4 * hw];
        for (int s = 0; s < n; s++) {
            Draw d = draws[s];
            double cos = Math.cos(d.angle()) / d.scale();
            double sin = Math.sin(d.angle()) / d.scale();
            double cx = w / 2.0;
            double cy = h / 2.0;
            for (int oy = 0; oy < h; oy++) {
                for (int ox = 0; ox < w; ox++) {
                    double dx = ox + 0.5 - cx;
                    double dy = oy + 0.5 - cy;
                    double fx = cos * dx + sin * dy + cx - d.tx() - 0.5;
                    double fy = -sin * dx + cos * dy + cy - d.ty() - 0.5;
                    int x0 = (int) Math.floor(fx);
                    int y0 = (int) Math.floor(fy);
                    double ax = fx - x0;
                    double ay = fy - y0;
                    int p = oy * w + ox;
                    int[] src = {
                        Parameterisation.mirror(y0, h) * w + Parameterisation.mirror(x0, w),
                        Parameterisation.mirror(y0, h) * w + Parameterisation.mirror(x0 + 1, w),
                        Parameterisation.mirror(y0 + 1, h) * w + Parameterisation.mirror(x0, w),
                        Parameterisation.mirror(y0 + 1, h) * w + Parameterisation.mirror(x0 + 1, w)};
                    double[] wt = {(1 - ax) * (1 - ay), ax * (1 - ay), (1 - ax) * ay, ax * ay};
                    for (int k = 0; k < 4; k++) {
                        weight[(s * 4 + k) * hw + p] = (float) wt[k];
                        for (int ch = 0; ch < c; ch++) {
                            index[((s * c + ch) * 4 + k) * hw + p] = src[k];
                        }
                    }
                }
            }
        }
        NDManager m = x.getManager();
        NDArray gathered = x.reshape(n, c, hw).gather(Tensors.of(m, index, new Shape(n, c, 4L * hw)), 2);
        NDArray weighted = gathered.mul(Tensors.of(m, weight, new Shape(n, 1, 4L * hw)));
        return weighted.reshape(n, c, 4, hw).sum(new int[] {2}).reshape(n, c, h, w);
    }
}
