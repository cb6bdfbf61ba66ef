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

    /**
     * Loads a model file, or a bioimage.io package (a folder, its {@code .zip}, or its
     * {@code rdf.yaml}/{@code bioimageio.yaml}; see {@link BioImageIoPackage}).
     */
    public static ExplainableModel load(Path file, String device) {
        if (file == null || !Files.exists(file)) {
            throw new UserError("model file not found: " + file);
        }
        if (BioImageIoPackage.isPackage(file)) {
            return load(BioImageIoPackage.open(file), device);
        }
        if (!Files.isRegularFile(file)) {
            throw new UserError("model path is not a file: " + file);
        }
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        boolean torchScript = name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".torchscript");
        return open(file, torchScript, ModelSpec.besideModel(file), device);
    }

    /** The package's weights with its spec; the log says which weights, which score activation and which size. */
    public static ExplainableModel load(BioImageIoPackage pkg, String device) {
        ExplainableModel model = open(pkg.weights(), pkg.weightsFormat().equals("torchscript"), pkg.spec(), device);
        LOG.info("cnn-explain: " + pkg.describe());
        return model;
    }

    private static ExplainableModel open(Path file, boolean torchScript, ModelSpec spec, String device) {
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
