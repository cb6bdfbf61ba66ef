package org.cnnexplain.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.cnnexplain.UserError;
import org.cnnexplain.graph.Graph;
import org.cnnexplain.onnx.OnnxReader;

/**
 * Opens a model file on a device: ONNX ({@code .onnx}, fully explainable) or
 * TorchScript ({@code .pt}, {@code .pth}, {@code .torchscript}; see {@link TorchScriptNetwork}).
 *
 * <pre>{@code
 * ExplainableModel m = ModelLoader.load(Path.of("test-images/models/demo.onnx"), "auto");
 * // log: "cnn-explain: demo.onnx on cpu()"
 * }</pre>
 */
public final class ModelLoader {

    private static final Logger LOG = LoggerFactory.getLogger("cnn-explain");

    private ModelLoader() {
    }

    public static ExplainableModel load(Path file, String device) {
        if (file == null || !Files.exists(file)) {
            throw new UserError("model file not found: " + file);
        }
        if (!Files.isRegularFile(file)) {
            throw new UserError("model path is not a file: " + file);
        }
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        boolean torchScript = name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".torchscript");
        ModelSpec spec = ModelSpec.besideModel(file);
        Device d = DeviceChoice.resolve(device);
        NDManager manager = DeviceChoice.engine().newBaseManager(d);
        try {
            Network network = torchScript ? new TorchScriptNetwork(file, manager) : onnx(file, manager);
            ExplainableModel model = new ExplainableModel(file, network, spec, d, manager);
            LOG.info("cnn-explain: " + file.getFileName() + " on " + d);
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static Network onnx(Path file, NDManager manager) {
        Graph graph = OnnxReader.read(file, manager);
        if (graph.outputs().isEmpty()) {
            throw new UserError("model '" + file.getFileName() + "' declares no output");
        }
        return new OnnxNetwork(graph);
    }
}
