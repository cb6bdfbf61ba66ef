package org.cnnexplain.explain.maximize;

/**
 * Adam (Kingma & Ba 2015) with its usual constants, ascending: p += rate · m̂ / (√v̂ + ε), m and v the
 * bias-corrected running means of the gradient and of its square. Each parameter gets a step of about
 * {@code rate} whatever its gradient's scale, which is why the objectives of different units can share a
 * batch without weighting.
 */
final class Adam {

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final double rate;
    private final float[] m;
    private final float[] v;
    private int t;

    Adam(int size, double rate) {
        this.rate = rate;
        this.m = new float[size];
        this.v = new float[size];
    }

    /** One ascent step of {@code p} along {@code gradient}. */
    void ascend(float[] p, float[] gradient) {
        t++;
        double c1 = 1 - Math.pow(BETA1, t);
        double c2 = 1 - Math.pow(BETA2, t);
        for (int i = 0; i < p.length; i++) {
            float g = gradient[i];
            m[i] = (float) (BETA1 * m[i] + (1 - BETA1) * g);
            v[i] = (float) (BETA2 * v[i] + (1 - BETA2) * g * g);
            p[i] += (float) (rate * (m[i] / c1) / (Math.sqrt(v[i] / c2) + EPS));
        }
    }
}
