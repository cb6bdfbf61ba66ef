package org.cnnexplain.testutil;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ij.IJ;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnnexplain.explain.Backprop;
import org.cnnexplain.explain.Cam;
import org.cnnexplain.explain.CamMethod;
import org.cnnexplain.explain.CamResult;
import org.cnnexplain.explain.Deconvnet;
import org.cnnexplain.explain.EigenCam;
import org.cnnexplain.explain.FeatureMaps;
import org.cnnexplain.explain.GradCam;
import org.cnnexplain.explain.GradCamPlusPlus;
import org.cnnexplain.explain.GuidedGradCam;
import org.cnnexplain.explain.HiResCam;
import org.cnnexplain.explain.LayerCam;
import org.cnnexplain.explain.MapStack;
import org.cnnexplain.explain.ScoreCam;
import org.cnnexplain.explain.Target;
import org.cnnexplain.explain.XGradCam;
import org.cnnexplain.graph.Tensors;
import org.cnnexplain.image.ImagePlusImgs;
import org.cnnexplain.image.Normalization;
import org.cnnexplain.image.TensorBatch;
import org.cnnexplain.model.ExplainableModel;
import org.cnnexplain.model.ModelLoader;

/**
 * Every model family and every method as a list of small, deterministic cases, each reduced to
 * a fingerprint (SHA-256 of the result's float bits), so that a run in one JVM can be compared
 * bit for bit with a run in another.
 *
 * <p>{@code java ... StressCases} prints {@code case<TAB>fingerprint} for every case: the
 * reference that {@code MemoryStressTest} and {@code SoakBenchmark} take from a fresh JVM
 * without the strict memory mode, before they repeat the cases with it.
 */
public final class StressCases {

    /** One model with its input and the layer its goldens use. */
    record Subject(String name, Path file, String layer, boolean everyMethod) {
    }

    /** A named computation on a loaded model; returns the float results to fingerprint. */
    public record Case(String name, Subject subject, Method method) {
    }

    interface Method {
        List<float[]> run(ExplainableModel model, NDManager run, NDArray x, String layer);
    }

    private StressCases() {
    }

    static List<Subject> subjects() {
        return List.of(
                new Subject("demo", TestModels.DEMO_MODEL, "block4", true),
                new Subject("demo.pt", Path.of("test-images/models/demo.pt"), "auto", false),
                new Subject("resnet18s", TestModels.parityModel("resnet18s", 13), "layer4", true),
                new Subject("mobilenetv2s", TestModels.parityModel("mobilenetv2s", 17), "features", true),
                new Subject("densenets", TestModels.parityModel("densenets", 11), "features", false),
                new Subject("efficientnets", TestModels.parityModel("efficientnets", 13), "features", false),
                new Subject("vgg11bns", TestModels.parityModel("vgg11bns", 17), "auto", false),
                new Subject("mobilenetv3s", TestModels.parityModel("mobilenetv3s", 17), "auto", false),
                new Subject("squeezenets", TestModels.parityModel("squeezenets", 13), "auto", false),
                new Subject("shufflenets", TestModels.parityModel("shufflenets", 11), "auto", false),
                new Subject("net3d", TestModels.parityModel("net3d", 13), "block3", false),
                new Subject("unet", TestModels.parityModel("unet", 17), "bottleneck", false));
    }

    /** Every case, in a fixed order. */
    public static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        for (Subject s : subjects()) {
            cases.add(new Case(s.name() + " predict", s, (m, run, x, layer) -> List.of(
                    m.forward(run, x, List.of()).logits().toFloatArray())));
            boolean torchScript = s.file().toString().endsWith(".pt");
            List<CamMethod> cams = s.everyMethod()
                    ? List.of(new GradCam(), new GradCamPlusPlus(), new XGradCam(), new LayerCam(), new HiResCam(),
                            new EigenCam(), new ScoreCam(16), new Cam())
                    : List.of(new GradCam());
            for (CamMethod cam : cams) {
                cases.add(new Case(s.name() + " " + cam.name(), s, (m, run, x, layer) -> {
                    CamResult r = cam.explain(m, run, x, cam instanceof Cam ? "auto" : layer, Target.top1());
                    return List.of(r.layerMaps().data(), r.inputMaps().data());
                }));
            }
            if (torchScript) {
                cases.add(new Case(s.name() + " gradient", s, (m, run, x, layer) -> List.of(Deconvnet.project(m, run, x,
                        null, Backprop.Rule.GRADIENT, null, 1, Deconvnet.Signal.CLASS, Target.top1()).data())));
                continue;
            }
            if (s.everyMethod()) {
                cases.add(new Case(s.name() + " featuremaps", s, (m, run, x, layer) -> List.of(
                        FeatureMaps.compute(m, run, x, layer, null, "none").maps().data())));
                cases.add(new Case(s.name() + " guidedgradcam", s, (m, run, x, layer) -> {
                    CamResult r = new GradCam().explain(m, run, x, layer, Target.top1());
                    return List.of(GuidedGradCam.of(m, run, x, r, Target.top1()).data());
                }));
            }
            for (Backprop.Rule rule : Backprop.Rule.values()) {
                cases.add(new Case(s.name() + " " + rule.fileName() + " peak", s, (m, run, x, layer) -> List.of(
                        Deconvnet.project(m, run, x, layer, rule, null, 3, Deconvnet.Signal.PEAK, Target.top1()).data())));
                cases.add(new Case(s.name() + " " + rule.fileName() + " class", s, (m, run, x, layer) -> List.of(
                        Deconvnet.project(m, run, x, layer, rule, null, 1, Deconvnet.Signal.CLASS, Target.top1()).data())));
            }
        }
        return cases;
    }

    /** Models loaded once each, as a user's session would. */
    public static final class Models implements AutoCloseable {
        private final Map<Subject, ExplainableModel> loaded = new LinkedHashMap<>();

        ExplainableModel get(Subject s) {
            return loaded.computeIfAbsent(s, k -> ModelLoader.load(k.file(), "cpu"));
        }

        @Override
        public void close() {
            loaded.values().forEach(ExplainableModel::close);
        }
    }

    /** Runs one case in its own sub-manager and returns its fingerprint. */
    public static String fingerprint(Models models, Case c) {
        ExplainableModel model = models.get(c.subject());
        try (NDManager run = model.newRun()) {
            NDArray x = input(c.subject(), model, run);
            return digest(c.method().run(model, run, x, c.subject().layer()));
        }
    }

    private static NDArray input(Subject s, ExplainableModel model, NDManager run) {
        if (s.name().startsWith("demo")) {
            TensorBatch b = TensorBatch.of(ImagePlusImgs.toFloat(
                    IJ.openImage(TestModels.firstDemoImage("mitotic").toString())), 1,
                    Normalization.of("model", model.spec()));
            return b.toNDArray(run);
        }
        Npy x = Npy.read(TestModels.golden(s.name(), "input.npy"));
        long[] shape = x.shape().clone();
        int per = (int) (x.data().length / shape[0]);
        shape[0] = 1;   // one sample: the families' inputs hold two
        return Tensors.of(run, java.util.Arrays.copyOf(x.data(), per), new Shape(shape));
    }

    static String digest(List<float[]> results) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (float[] r : results) {
                ByteBuffer b = ByteBuffer.allocate(r.length * 4);
                b.asFloatBuffer().put(r);
                sha.update(b.array());
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Prints the reference fingerprints (run in a fresh JVM, strict mode off). */
    public static void main(String[] args) {
        try (Models models = new Models()) {
            for (Case c : all()) {
                System.out.println(c.name() + "\t" + fingerprint(models, c));
            }
        }
    }

    /** The reference: {@link #main} in a fresh JVM with this JVM's class path. */
    public static Map<String, String> referenceFromFreshJvm() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Dai.djl.offline=true", "-Djava.awt.headless=true", "-Xss8m",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-cp", System.getProperty("java.class.path"),
                StressCases.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Map<String, String> ref = new LinkedHashMap<>();
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null) {
                int tab = line.indexOf('\t');
                if (tab > 0) {
                    ref.put(line.substring(0, tab), line.substring(tab + 1));
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the reference JVM failed with exit code " + p.exitValue());
        }
        return ref;
    }
}
