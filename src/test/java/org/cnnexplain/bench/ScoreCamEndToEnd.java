package org.cnnexplain.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cnnexplain.explain.CamMethod;
import org.cnnexplain.explain.LayerChoice;
import org.cnnexplain.explain.ScoreCam;
import org.cnnexplain.explain.Target;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.Layer;
import org.cnnexplain.model.ModelLoader;
import org.cnnexplain.testutil.Npy;

/**
 * Score-CAM through the public API ({@code new ScoreCam()}, its default batch) on the first image of an .npy
 * input, beside {@code ReferenceScoreCam(16)} and the forward pass at batch 1 and 16: medians of thread CPU
 * time, one line per JVM. It compiles against any commit that has these classes, so {@code .ci/scorecam-against}
 * can time the same call on an older build in alternating JVMs (args: model layer input.npy runs tag).
 */
public final class ScoreCamEndToEnd {
    private ScoreCamEndToEnd() {
    }

    public static void main(String[] a) throws Exception {
        Path model = Path.of(a[0]);
        String layerName = a[1];
        Npy npy = Npy.read(Path.of(a[2]));
        int runs = Integer.parseInt(a[3]);
        String tag = a[4];
        long[] shape = npy.shape().clone();
        int per = (int) (npy.data().length / shape[0]);
        shape[0] = 1;
        float[] x1 = Arrays.copyOf(npy.data(), per);
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        try (ExplainableModel m = ModelLoader.load(model, "cpu")) {
            Layer l = LayerChoice.resolve(m, layerName);
            Map<String, CamMethod> methods = new LinkedHashMap<>();
            methods.put("scorecam", new ScoreCam());
            try {
                methods.put("scorecam-ref16", (CamMethod) Class.forName("org.cnnexplain.explain.ReferenceScoreCam").getConstructor(int.class).newInstance(16));
            } catch (ClassNotFoundException e) {
                // the base tree: its ScoreCam is the straightforward one
            }
            Map<String, long[]> cpu = new LinkedHashMap<>();
            methods.keySet().forEach(k -> cpu.put(k, new long[runs]));
            cpu.put("forward b1", new long[runs]);
            cpu.put("forward b16", new long[runs]);
            float[] maps = null;
            for (int r = -3; r < runs; r++) {
                for (String k : cpu.keySet()) {
                    try (NDManager run = m.newRun()) {
                        long[] s = shape.clone();
                        if (k.equals("forward b16")) {
                            s[0] = 16;
                        }
                        float[] data = s[0] == 1 ? x1 : tile(x1, (int) s[0]);
                        NDArray x = Tensors.of(run, data, new Shape(s));
                        long c0 = t.getCurrentThreadCpuTime();
                        if (k.startsWith("forward")) {
                            m.forward(run, x, List.of());
                        } else {
                            float[] got = methods.get(k).explain(m, run, x, l, Target.top1()).inputMaps().data();
                            if (k.equals("scorecam")) {
                                maps = got;
                            }
                        }
                        long dc = t.getCurrentThreadCpuTime() - c0;
                        if (r >= 0) {
                            cpu.get(k)[r] = dc;
                        }
                    }
                }
            }
            StringBuilder sb = new StringBuilder(tag);
            for (var e : cpu.entrySet()) {
                long[] v = e.getValue().clone();
                Arrays.sort(v);
                sb.append(String.format(Locale.ROOT, " | %s %.2f", e.getKey(), v[runs / 2] / 1e6));
            }
            double sum = 0;
            double max = 0;
            for (float f : maps) {
                sum += f;
                max = Math.max(max, f);
            }
            sb.append(String.format(Locale.ROOT, " | map sum %.6f max %.6f", sum, max));
            System.out.println(sb);
        }
    }

    private static float[] tile(float[] x, int n) {
        float[] out = new float[x.length * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x, 0, out, i * x.length, x.length);
        }
        return out;
    }
}
