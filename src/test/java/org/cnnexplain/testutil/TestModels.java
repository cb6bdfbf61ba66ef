package org.cnnexplain.testutil;

import java.nio.file.Path;

/** Where the committed test models and goldens are. Tests run with the repository root as working directory. */
public final class TestModels {

    private TestModels() {
    }

    public static final Path DEMO_MODEL = Path.of("test-images/models/demo.onnx");
    public static final Path DEMO_IMAGES = Path.of("test-images/demo");

    public static Path parityModel(String name, int opset) {
        return Path.of("src/test/resources/models", name + "_op" + opset + ".onnx");
    }

    public static Path golden(String model, String file) {
        return Path.of("src/test/resources/golden", model, file);
    }
}
