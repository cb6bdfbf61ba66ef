package org.cnnexplain.model;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.cnnexplain.UserError;
import org.cnnexplain.graph.Graph;
import org.cnnexplain.graph.Tensors;

/**
 * A TorchScript module run through DJL as a whole. Its only layers are the
 * output and, when the module exports {@code features(x)} and {@code head(f)}
 * methods, the cut between them ({@value #FEATURES}): enough for predictions, input
 * gradients, and Feature Maps and the CAM family at the cut. Guided backprop and
 * deconvnet need the graph (ReLU by ReLU) and are refused.
 *
 * <p>Loaded with trainable parameters so autograd runs through it, then switched
 * to eval mode with every parameter frozen; run with DJL's {@code isTrain} flag set,
 * which only lifts the inference-mode guard (gradients), never BatchNorm's eval mode.
 */
final class TorchScriptNetwork implements Network {

    static final String INPUT = "input";
    static final String FEATURES = "features";
    static final String OUTPUT = "output";

    private final Path file;
    private final PtSymbolBlock block;
    private final boolean cut;

    TorchScriptNetwork(Path file, NDManager manager) {
        this.file = file;
        try {
            block = JniUtils.loadModule((PtNDManager) manager, file, true, new String[0], new String[0], true);
        } catch (EngineException | IllegalArgumentException e) {
            throw new UserError("cannot read TorchScript model '" + file.getFileName() + "': " + firstLine(e));
        }
        JniUtils.enableInferenceMode(block);   // module.eval()
        for (NDArray p : JniUtils.moduleGetParams(block, (PtNDManager) manager)) {
            JniUtils.attachGradient((PtNDArray) p, false);
        }
        List<String> methods = List.of(JniUtils.getMethodNames(block));
        cut = methods.contains("features") && methods.contains("head");
    }

    @Override
    public String inputName() {
        return INPUT;
    }

    @Override
    public String outputName() {
        return OUTPUT;
    }

    @Override
    public long[] declaredInputShape() {
        return new long[0];
    }

    @Override
    public Map<String, NDArray> run(NDManager run, NDArray input, Collection<String> wanted,
                                    BiFunction<String, NDArray, NDArray> hook) {
        Map<String, NDArray> out = new HashMap<>();
        if (cut) {
            NDArray f = call(run, "features", input);
            if (hook != null) {
                f = hook.apply(FEATURES, f);
            }
            out.put(FEATURES, f);
            out.put(OUTPUT, call(run, "head", f));
        } else {
            out.put(OUTPUT, call(run, "forward", input));
        }
        out.keySet().retainAll(wanted);
        return out;
    }

    /** One method of the module on {@code x}; DJL picks the method from a marker array's name. */
    private NDArray call(NDManager run, String method, NDArray x) {
        NDArray marker = Tensors.of(run, new float[] {0});
        marker.setName("module_method:" + method);
        // the JIT's profiling executor re-specialises the module for every new mix of inputs that need
        // gradients and keeps what it compiled (measured: ~200 MB over the first 2,000 Grad-CAM runs of the demo)
        JniUtils.setGraphExecutorOptimize(false);   // a thread-local libtorch setting, hence per call
        try {
            NDArray y = IValueUtils.forward(block, new NDList(x, marker), true).get(0);
            return y.getManager() == run ? y : attach(y, run);
        } catch (EngineException e) {
            throw new UserError("TorchScript model '" + file.getFileName() + "' failed in " + method + "() on input "
                    + x.getShape() + ": " + firstLine(e));
        }
    }

    private static NDArray attach(NDArray y, NDManager run) {
        y.attach(run);
        return y;
    }

    @Override
    public List<Layer> layers(NDManager run, long[] inputShape) {
        Map<String, NDArray> v = run(run, run.zeros(new Shape(inputShape)), List.of(FEATURES, OUTPUT), null);
        Layer output = new Layer(cut ? "head" : "forward", cut ? "head()" : "forward()", OUTPUT,
                v.get(OUTPUT).getShape().getShape());
        return cut ? List.of(new Layer(FEATURES, "features()", FEATURES, v.get(FEATURES).getShape().getShape()), output)
                : List.of(output);
    }

    @Override
    public Graph graph() {
        return null;
    }

    @Override
    public String limitation() {
        return "'" + file.getFileName() + "' is TorchScript, which has no graph to walk"
                + (cut ? "" : " and no features(x)/head(f) methods to cut at")
                + "; export the model to ONNX (src/main/python/export_model.py) for every method";
    }

    @Override
    public void close() {
        block.close();
    }

    private static String firstLine(Exception e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage().strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
