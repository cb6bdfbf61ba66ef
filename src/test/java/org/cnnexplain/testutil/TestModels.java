package org.cnnexplain.testutil;

import java.nio.file.Path;

/** Where the committed test models and goldens are. Tests run with the repository root as working directory. */
public final class TestModels {

    private TestModels() {
    }

    public static final Path DEMO_MODEL = Path.of("test-images/models/demo.onnx");
    public static final Path DEMO_IMAGES = Path.of("test-images/demo");

    /** The first committed demo image whose label is {@code className} (labels.csv). */
    public static Path firstDemoImage(String className) {
        try {
            for (String line : java.nio.file.Files.readAllLines(DEMO_IMAGES.resolve("labels.csv"))) {
                String[] f = line.split(",");
                if (f.length >= 3 && f[2].equals(className)) {
                    return DEMO_IMAGES.resolve(f[0]);
                }
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no demo image of class " + className);
    }

    public static Path parityModel(String name, int opset) {
        return Path.of("src/test/resources/models", name + "_op" + opset + ".onnx");
    }

    public static Path golden(String model, String file) {
        return Path.of("src/test/resources/golden", model, file);
    }
}
