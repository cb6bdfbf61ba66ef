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
 * Opens a model file on a device.
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
        String name = file.getFileName().toString().toLowerCase();
        if (name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".torchscript")) {
            throw new UserError("TorchScript model '" + file.getFileName() + "' is not supported yet;"
                    + " export it to ONNX (torch.onnx.export) and use the .onnx file");
        }
        ModelSpec spec = ModelSpec.besideModel(file);
        Device d = DeviceChoice.resolve(device);
        NDManager manager = DeviceChoice.engine().newBaseManager(d);
        try {
            Graph graph = OnnxReader.read(file, manager);
            ExplainableModel model = new ExplainableModel(file, graph, spec, d, manager);
            LOG.info("cnn-explain: " + file.getFileName() + " on " + d);
            return model;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }
}
