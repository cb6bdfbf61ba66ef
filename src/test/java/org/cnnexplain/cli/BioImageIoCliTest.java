package org.cnnexplain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.cnnexplain.testutil.Zips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * bioimage.io packages on the command line: {@code check} passes on the exported, the hand-written
 * 0.4 and the zoo-style package (from its folder, zip and yaml), and broken packages are one-line
 * errors with exit code 2.
 */
class BioImageIoCliTest {

    static final Path DIR = Path.of("src/test/resources/bioimageio");

    @TempDir
    Path tmp;

    @Test
    void checkPassesOnEveryTestPackage() throws IOException {
        Path zip = Zips.zip(DIR.resolve("nuclei-like"), tmp.resolve("nuclei-like.zip"));
        for (Path p : List.of(DIR.resolve("demo.bioimageio"), DIR.resolve("demo-v04"), DIR.resolve("nuclei-like"),
                zip, DIR.resolve("nuclei-like/rdf.yaml"), DIR.resolve("nuclei-like-v04"))) {
            CliTest.Result r = CliTest.run("check", "--model", p.toString(), "--device", "cpu");
            assertEquals(0, r.code(), p + ": " + r.out() + r.err());
            assertTrue(r.out().trim().endsWith(": pass"), r.out());
            System.out.println("check " + p.getFileName() + ": " + r.out().trim());
        }
    }

    @Test
    void theTorchScriptWeightsPassToo() {
        for (String pkg : List.of("demo.bioimageio", "nuclei-like")) {
            CliTest.Result r = CliTest.run("check", "--model", DIR.resolve(pkg).toString(), "--weights", "torchscript",
                    "--device", "cpu");
            assertEquals(0, r.code(), pkg + ": " + r.out() + r.err());
            assertTrue(r.out().contains("(torchscript)") && r.out().trim().endsWith(": pass"), r.out());
            System.out.println("check --weights torchscript " + pkg + ": " + r.out().trim());
        }
        CliTest.assertUserError(CliTest.run("check", "--model", DIR.resolve("demo-v04").toString(), "--weights", "onnx"),
                "has no onnx weights (it has pytorch_script)");
    }

    @Test
    void checkFailsWhenTheTestOutputDisagrees() throws IOException {
        Path pkg = copy("demo-v04");
        float[] shifted = org.cnnexplain.model.NpyArray.read(pkg.resolve("test_output.npy")).data();
        shifted[2] += 0.01f;
        writeNpy(pkg.resolve("test_output.npy"), shifted, 1, 4);
        CliTest.Result r = CliTest.run("check", "--model", pkg.toString(), "--device", "cpu");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("1 of 4 elements") && r.out().trim().endsWith("FAIL"), r.out());
    }

    @Test
    void brokenPackagesAreOneLineErrors() throws IOException {
        assertRefused(p -> delete(p.resolve("weights.onnx")), "weights file 'weights.onnx' named in rdf.yaml is missing");
        assertRefused(p -> append(p.resolve("weights.onnx")), "sha256 of 'weights.onnx' is ");
        assertRefused(p -> editYaml(p, rdf -> preprocessing(rdf).get(1).put("id", "zero_mean_variance")),
                "unknown preprocessing op 'zero_mean_variance'");
        assertRefused(p -> editYaml(p, rdf -> {
            Map<String, Object> w = map(rdf.get("weights"));
            w.remove("onnx");
            w.remove("torchscript");
        }), "has only pytorch_state_dict weights; cnn-explain runs onnx or torchscript weights");
        assertRefused(p -> editYaml(p, rdf -> {
            List<Object> inputs = new ArrayList<>(list(rdf.get("inputs")));
            Map<String, Object> second = new java.util.LinkedHashMap<>(map(inputs.get(0)));
            second.put("id", "mask");
            inputs.add(second);
            rdf.put("inputs", inputs);
        }), "has 2 inputs (raw, mask)");
        assertRefused(p -> write(p.resolve("rdf.yaml"), "format_version: 0.5.4\ninputs: [ {id: raw, axes: [\n"),
                "rdf.yaml is not valid YAML");
    }

    private void assertRefused(Consumer<Path> breakIt, String expected) throws IOException {
        Path pkg = copy("nuclei-like");
        breakIt.accept(pkg);
        for (String command : List.of("check", "predict")) {
            List<String> args = new ArrayList<>(List.of(command, "--model", pkg.toString(), "--device", "cpu"));
            if (command.equals("predict")) {
                args.addAll(List.of("--input", "test-images/demo/cell_000.tif"));
            }
            CliTest.Result r = CliTest.run(args.toArray(String[]::new));
            CliTest.assertUserError(r, expected);
            assertEquals(1, r.err().lines().count(), r.err());
        }
    }

    private Path copy(String name) throws IOException {
        Path target = tmp.resolve(name + "-" + System.nanoTime());
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(DIR.resolve(name))) {
            for (Path f : files.toList()) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        return target;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> preprocessing(Map<String, Object> rdf) {
        return (List<Map<String, Object>>) map(list(rdf.get("inputs")).get(0)).get("preprocessing");
    }

    private static void editYaml(Path pkg, Consumer<Map<String, Object>> edit) {
        try {
            Map<String, Object> rdf = new Yaml().load(Files.readString(pkg.resolve("rdf.yaml")));
            edit.accept(rdf);
            Files.writeString(pkg.resolve("rdf.yaml"), new Yaml().dump(rdf));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void append(Path p) {
        try {
            Files.write(p, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(Path p, String text) {
        try {
            Files.writeString(p, text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A little-endian float32 C-order .npy of the given shape (format 1.0). */
    static void writeNpy(Path file, float[] data, long... shape) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims.toString().replaceAll(", $",
                shape.length == 1 ? "," : "") + "), }";
        int pad = 16 - (10 + header.length() + 1) % 16;
        header = header + " ".repeat(pad % 16) + "\n";
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(10 + header.length() + 4 * data.length)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes()).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes());
        for (float v : data) {
            b.putFloat(v);
        }
        Files.write(file, b.array());
    }
}
