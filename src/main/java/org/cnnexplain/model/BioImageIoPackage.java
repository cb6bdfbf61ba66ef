package org.cnnexplain.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.cnnexplain.UserError;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A bioimage.io model package (format 0.4.x or 0.5.x): a folder, its {@code .zip}, or the
 * {@code rdf.yaml} / {@code bioimageio.yaml} itself, read into what cnn-explain needs — the
 * weights file, a {@link ModelSpec} (classes, input axes and size, preprocessing, score
 * activation) and the package's own test (tensors, postprocessing, tolerances).
 *
 * <pre>{@code
 * BioImageIoPackage p = BioImageIoPackage.open(Path.of("nuclei.zip"));
 * p.weights();          // .../weights.onnx (sha256 checked)
 * p.spec().input();     // axes "bcyx", shape [1, 1, -1, -1] (any size), min [1, 1, 64, 64], step [0, 0, 16, 16]
 * p.spec().activation() // "sigmoid" when the output's postprocessing has a sigmoid
 * p.spec().halo();      // 32 when the output's space axes declare halo: 32 (0.4: halo: [0, 0, 32, 32])
 * }</pre>
 *
 * <p>Class names, first found wins: {@code config.cnn-explain.classes} (a list), the 0.5
 * {@code channel_names} of the output's channel axis, an attachment whose file name contains
 * "label" or "class" and ends in {@code .txt} (one name per line); else numbered.
 *
 * <p>Only what cnn-explain can run is accepted, each refusal one line: weights {@code onnx}
 * (preferred) or {@code torchscript} (0.4 also {@code pytorch_script}); one input and one output;
 * input axes batch, channel, (z,) y, x in this order.
 */
public final class BioImageIoPackage {

    /** Processing ops of the bioimage.io spec (0.4 and 0.5); {@code image.Preprocessing} implements each. */
    public static final Set<String> OPS = Set.of("binarize", "clip", "ensure_dtype", "fixed_zero_mean_unit_variance",
            "scale_linear", "scale_mean_variance", "scale_range", "sigmoid", "softmax", "zero_mean_unit_variance");

    private static final List<String> RUNNABLE = List.of("onnx", "torchscript", "pytorch_script");

    /**
     * How close {@code check} must come to the test outputs: an element mismatches when
     * |out - expected| > absolute + relative * |expected|, and at most {@code perMillion} of a
     * million may (bioimage.io's {@code reproducibility_tolerance}; defaults 1e-3, 1e-4, 100).
     */
    public record Tolerance(double relative, double absolute, double perMillion) {
    }

    private final Path source;
    private final Path yaml;
    private final String formatVersion;
    private final Path weights;
    private final String weightsFormat;
    private final ModelSpec spec;
    private final List<ModelSpec.Processing> postprocessing;
    private final Path testInput;
    private final Path testOutput;
    private final Tolerance tolerance;

    private BioImageIoPackage(Path source, Path yaml, Map<String, Object> rdf, String wanted) {
        this.source = source;
        this.yaml = yaml;
        this.formatVersion = text(rdf.get("format_version"), "format_version");
        if (!formatVersion.startsWith("0.4") && !formatVersion.startsWith("0.5")) {
            throw error("format_version " + formatVersion + " is not supported (valid: 0.4.x, 0.5.x)");
        }
        if (rdf.get("type") != null && !"model".equals(rdf.get("type"))) {
            throw error("describes a " + rdf.get("type") + ", not a model");
        }
        Map<String, Object> input = single(rdf, "inputs");
        Map<String, Object> output = single(rdf, "outputs");
        Map<String, Object> weightsEntry = chooseWeights(map(rdf.get("weights"), "weights"), wanted);
        this.weights = file(text(weightsEntry.get("source"), "weights source"), "weights file");
        checkSha256(weights, weightsEntry.get("sha256"));
        this.testInput = testTensor(rdf, input, "test_inputs");
        this.testOutput = testTensor(rdf, output, "test_outputs");
        Map<String, Object> config = rdf.get("config") instanceof Map<?, ?> ? map(rdf.get("config"), "config") : Map.of();
        List<ModelSpec.Processing> pre = processing(input.get("preprocessing"), "preprocessing", tensorName(input));
        this.postprocessing = processing(output.get("postprocessing"), "postprocessing", tensorName(output));
        this.spec = new ModelSpec(rdf.get("name") == null ? source.getFileName().toString() : rdf.get("name").toString(),
                classes(config, output, rdf), inputOf(input), null, activation(postprocessing), pre, halo(output));
        this.tolerance = tolerance(config);
        this.weightsFormat = weightsEntry.get("format").toString();
    }

    /** A package folder, a {@code .zip}, or a {@code .yaml}/{@code .yml} file. */
    public static boolean isPackage(Path path) {
        String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isDirectory(path) || n.endsWith(".zip") || n.endsWith(".yaml") || n.endsWith(".yml");
    }

    public static BioImageIoPackage open(Path path) {
        return open(path, null);
    }

    /** With {@code weights} {@code onnx} or {@code torchscript}: those weights (else the preferred ones). */
    public static BioImageIoPackage open(Path path, String weights) {
        if (weights != null && !List.of("onnx", "torchscript").contains(weights)) {
            throw new UserError("weights '" + weights + "' is not one of onnx, torchscript");
        }
        if (!Files.exists(path)) {
            throw new UserError("model file not found: " + path);
        }
        Path root = path;
        String n = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".zip")) {
            root = unzip(path);
        }
        Path yaml = Files.isDirectory(root) ? findYaml(root, path) : root;
        Map<String, Object> rdf = readYaml(yaml, path);
        return new BioImageIoPackage(path, yaml, rdf, weights);
    }

    public Path weights() {
        return weights;
    }

    /** {@code onnx} or {@code torchscript}. */
    public String weightsFormat() {
        return weightsFormat.equals("pytorch_script") ? "torchscript" : weightsFormat;
    }

    public ModelSpec spec() {
        return spec;
    }

    public String formatVersion() {
        return formatVersion;
    }

    public List<ModelSpec.Processing> postprocessing() {
        return postprocessing;
    }

    /** The test input tensor ({@code .npy}), or null when the package has none. */
    public Path testInput() {
        return testInput;
    }

    public Path testOutput() {
        return testOutput;
    }

    public Tolerance tolerance() {
        return tolerance;
    }

    /** The rdf file that was read. */
    public Path yaml() {
        return yaml;
    }

    /**
     * One line for the log: "bioimage.io 0.5.4 package 'nuclei-like', onnx weights; score activation
     * sigmoid (from its postprocessing); input {min [1, 1, 16, 16], step [0, 0, 8, 8]}: each image
     * at its own size, padded to the next allowed one".
     */
    public String describe() {
        String activation = spec.activation() == null
                ? "by output count (no sigmoid/softmax in its postprocessing: softmax for K > 1 classes, sigmoid for one)"
                : spec.activation() + " (from its postprocessing)";
        ModelSpec.Input in = spec.input();
        String size = java.util.Arrays.stream(in.step()).anyMatch(s -> s > 0)
                ? "; input {min " + java.util.Arrays.toString(in.min()) + ", step " + java.util.Arrays.toString(in.step())
                        + "}: each image at its own size, padded to the next allowed one"
                : "";
        return "bioimage.io " + formatVersion + " package '" + spec.name() + "', " + weightsFormat()
                + " weights; score activation " + activation + size;
    }

    private UserError error(String message) {
        return new UserError("bioimage.io package '" + source.getFileName() + "': " + message);
    }

    // ---- locating and reading ----

    private static Path findYaml(Path dir, Path source) {
        for (String name : List.of("rdf.yaml", "bioimageio.yaml")) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().endsWith(".bioimageio.yaml")).toList();
            if (found.size() == 1) {
                return found.get(0);
            }
            List<Path> subdirs = found.isEmpty() ? listDirs(dir) : List.of();
            if (subdirs.size() == 1) {   // a zip made of the folder itself
                return findYaml(subdirs.get(0), source);
            }
        } catch (IOException e) {
            throw new UserError("cannot list '" + dir + "': " + e.getMessage());
        }
        throw new UserError("bioimage.io package '" + source.getFileName()
                + "': no rdf.yaml, bioimageio.yaml or *.bioimageio.yaml in it");
    }

    private static List<Path> listDirs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).toList();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readYaml(Path yaml, Path source) {
        try (Reader r = Files.newBufferedReader(yaml)) {
            Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
            if (!(doc instanceof Map<?, ?>)) {
                throw new UserError("bioimage.io package '" + source.getFileName() + "': " + yaml.getFileName()
                        + " is not a YAML mapping of fields");
            }
            return (Map<String, Object>) doc;
        } catch (YAMLException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("\\s+", " ").trim();
            throw new UserError("bioimage.io package '" + source.getFileName() + "': " + yaml.getFileName()
                    + " is not valid YAML: " + msg);
        } catch (IOException e) {
            throw new UserError("cannot read '" + yaml + "': " + e.getMessage());
        }
    }

    /** Unpacks into a fresh temporary folder (removed when the JVM exits); entries may not leave it. */
    private static Path unzip(Path zip) {
        try {
            Path dir = Files.createTempDirectory("cnn-explain-bioimageio-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
            try (InputStream in = Files.newInputStream(zip); ZipInputStream z = new ZipInputStream(in)) {
                ZipEntry e;
                while ((e = z.getNextEntry()) != null) {
                    Path target = dir.resolve(e.getName()).normalize();
                    if (!target.startsWith(dir)) {
                        throw new UserError("bioimage.io package '" + zip.getFileName() + "': entry '" + e.getName()
                                + "' points outside the package");
                    }
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(z, target);
                    }
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UserError("cannot unpack '" + zip.getFileName() + "': " + e.getMessage());
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder the OS cleans up anyway
        }
    }

    // ---- fields ----

    private Map<String, Object> single(Map<String, Object> rdf, String key) {
        List<Object> tensors = list(rdf.get(key), key);
        if (tensors.size() != 1) {
            List<String> names = new ArrayList<>();
            for (Object t : tensors) {
                Map<String, Object> m = map(t, key);
                names.add(String.valueOf(m.getOrDefault("id", m.get("name"))));
            }
            throw error("has " + tensors.size() + " " + key + " (" + String.join(", ", names)
                    + "); cnn-explain explains models with one input and one output tensor");
        }
        return map(tensors.get(0), key);
    }

    private Map<String, Object> chooseWeights(Map<String, Object> all, String wanted) {
        for (String format : RUNNABLE) {
            if (wanted != null && !wanted.equals(format.equals("pytorch_script") ? "torchscript" : format)) {
                continue;
            }
            if (all.get(format) != null) {
                Map<String, Object> w = new LinkedHashMap<>(map(all.get(format), "weights." + format));
                w.put("format", format);
                return w;
            }
        }
        if (wanted != null) {
            throw error("has no " + wanted + " weights (it has " + String.join(", ", all.keySet()) + ")");
        }
        throw error("has only " + String.join(", ", all.keySet()) + " weights; cnn-explain runs onnx or torchscript"
                + " weights (convert them first, e.g. with bioimageio.core's weight converters)");
    }

    /** A file named in the rdf, relative to it; URLs are refused (no downloads). */
    private Path file(String name, String what) {
        if (name.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            throw error(what + " is a URL (" + name + "); download the package as a .zip with its files");
        }
        Path p = yaml.resolveSibling(name).normalize();
        if (!Files.isRegularFile(p)) {
            throw error(what + " '" + name + "' named in " + yaml.getFileName() + " is missing");
        }
        return p;
    }

    private void checkSha256(Path file, Object expected) {
        if (expected == null) {
            return;
        }
        String got = sha256(file);
        if (!got.equalsIgnoreCase(expected.toString().trim())) {
            throw error("sha256 of '" + file.getFileName() + "' is " + got + ", " + yaml.getFileName() + " says "
                    + expected + " (the file is damaged or not the one described)");
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new UserError("cannot read '" + file + "': " + e.getMessage());
        }
    }

    /** 0.5: the tensor's {@code test_tensor.source}; 0.4: the first of {@code test_inputs}/{@code test_outputs}. */
    private Path testTensor(Map<String, Object> rdf, Map<String, Object> tensor, String key04) {
        Object t = tensor.get("test_tensor");
        if (t != null) {
            Object src = t instanceof Map<?, ?> m ? m.get("source") : t;
            return file(text(src, "test_tensor source"), "test tensor");
        }
        Object list = rdf.get(key04);
        if (list instanceof List<?> l && !l.isEmpty()) {
            return file(l.get(0).toString(), "test tensor");
        }
        return null;
    }

    private static Object tensorName(Map<String, Object> tensor) {
        return tensor.containsKey("id") ? tensor.get("id") : tensor.get("name");
    }

    /** The steps with 0.4's spellings made 0.5's; a {@code reference_tensor} naming the tensor itself is dropped. */
    private List<ModelSpec.Processing> processing(Object steps, String what, Object self) {
        List<ModelSpec.Processing> out = new ArrayList<>();
        if (steps == null) {
            return out;
        }
        for (Object s : list(steps, what)) {
            Map<String, Object> step = map(s, what);
            String op = String.valueOf(step.containsKey("id") ? step.get("id") : step.get("name"));
            Map<String, Object> kwargs = step.get("kwargs") == null ? new LinkedHashMap<>()
                    : new LinkedHashMap<>(map(step.get("kwargs"), what + " " + op + " kwargs"));
            if (!OPS.contains(op)) {
                throw error("unknown " + what + " op '" + op + "' (valid: " + String.join(", ", new java.util.TreeSet<>(OPS))
                        + ")");
            }
            if (kwargs.get("axes") instanceof String letters) {   // 0.4: "yx" -> [y, x]; c means the channel axis
                List<String> axes = new ArrayList<>();
                for (char c : letters.toCharArray()) {
                    axes.add(axisId(c));
                }
                kwargs.put("axes", axes);
            }
            if (kwargs.get("reference_tensor") != null && kwargs.get("reference_tensor").equals(self)) {
                kwargs.remove("reference_tensor");
            }
            if (op.equals("zero_mean_unit_variance") && "fixed".equals(kwargs.get("mode"))) {
                op = "fixed_zero_mean_unit_variance";   // 0.4's fixed mode is 0.5's own op
            }
            out.add(new ModelSpec.Processing(op, kwargs));
        }
        return out;
    }

    private static String activation(List<ModelSpec.Processing> post) {
        for (ModelSpec.Processing p : post) {
            if (p.op().equals("sigmoid") || p.op().equals("softmax")) {
                return p.op();
            }
        }
        return null;
    }

    private static String axisId(char c) {
        return switch (c) {
            case 'b' -> "batch";
            case 'c' -> "channel";
            case 't' -> "time";
            case 'i' -> "index";
            default -> String.valueOf(c);
        };
    }

    // ---- the input tensor ----

    /**
     * The input as cnn-explain runs it: axes {@code bcyx} or {@code bczyx}; each space axis fixed,
     * or {@code {min, step}} — then -1 in the shape: the model takes each image at its own size,
     * padded to min + k * step ({@link InputSizes}).
     */
    private ModelSpec.Input inputOf(Map<String, Object> input) {
        if (input.get("data_type") != null || input.get("data") instanceof Map<?, ?>) {
            Object type = input.get("data_type") != null ? input.get("data_type")
                    : map(input.get("data"), "data").get("type");
            if (type != null && !Set.of("float32", "float64").contains(type.toString())) {
                throw error("the input takes " + type + " data; cnn-explain feeds float32 (valid: float32, float64)");
            }
        }
        long[] test = testInput == null ? null : NpyArray.read(testInput).shape();
        Object axes = input.get("axes");
        List<String> letters = new ArrayList<>();
        List<long[]> sizes = new ArrayList<>();   // {fixed or -1, min, step} per axis
        if (axes instanceof String s) {
            Object shape = input.get("shape");
            for (int i = 0; i < s.length(); i++) {
                letters.add(String.valueOf(s.charAt(i)));
            }
            if (shape instanceof List<?> fixed) {
                for (Object d : fixed) {
                    long v = number(d, "shape").longValue();
                    sizes.add(new long[] {v, v, 0});
                }
            } else {
                Map<String, Object> m = map(shape, "shape");
                List<Object> min = list(m.get("min"), "shape.min");
                List<Object> step = list(m.get("step"), "shape.step");
                for (int i = 0; i < min.size(); i++) {
                    long mi = number(min.get(i), "shape.min").longValue();
                    long st = number(step.get(i), "shape.step").longValue();
                    sizes.add(new long[] {st == 0 ? mi : -1, mi, st});
                }
            }
        } else {
            for (Object a : list(axes, "axes")) {
                Map<String, Object> axis = map(a, "axis");
                String type = text(axis.get("type"), "axis type");
                switch (type) {
                    case "batch" -> {
                        letters.add("b");
                        sizes.add(new long[] {1, 1, 0});
                    }
                    case "channel" -> {
                        letters.add("c");
                        long c = list(axis.get("channel_names"), "channel_names").size();
                        sizes.add(new long[] {c, c, 0});
                    }
                    default -> {
                        String id = axis.get("id") != null ? axis.get("id").toString()
                                : type.equals("space") ? "x" : type;
                        letters.add(id.equals("time") ? "t" : id.equals("index") ? "i" : id);
                        sizes.add(size(axis.get("size"), id));
                    }
                }
            }
        }
        String order = String.join("", letters);
        if (!order.equals("bcyx") && !order.equals("bczyx")) {
            throw error("input axes '" + order + "' are not supported; cnn-explain takes batch, channel, (z,) y, x"
                    + " in this order (bcyx or bczyx)");
        }
        if (test != null && test.length != order.length()) {
            throw error("test input has shape " + java.util.Arrays.toString(test) + " for axes " + order);
        }
        int rank = order.length();
        long[] shape = new long[rank];
        long[] min = new long[rank];
        long[] step = new long[rank];
        for (int i = 0; i < rank; i++) {
            long[] s = sizes.get(i);
            min[i] = s[1];
            step[i] = s[2];
            shape[i] = i == 0 ? 1 : s[0] > 0 ? s[0] : -1;   // -1: any size of min + k * step (InputSizes)
        }
        return new ModelSpec.Input(order, shape, min, step);
    }

    private long[] size(Object size, String axis) {
        if (size instanceof Number n) {
            return new long[] {n.longValue(), n.longValue(), 0};
        }
        Map<String, Object> m = map(size, "size of axis " + axis);
        if (m.containsKey("min")) {
            long mi = number(m.get("min"), "size.min").longValue();
            long st = m.get("step") == null ? 0 : number(m.get("step"), "size.step").longValue();
            return new long[] {st == 0 ? mi : -1, mi, st};
        }
        throw error("input axis " + axis + " takes its size from tensor '" + m.get("tensor_id")
                + "'; a single-input model cannot refer to another tensor");
    }

    /**
     * The output's halo, the largest over its space axes; null when it declares none. 0.4: {@code halo: [0, 0,
     * 32, 32]}, one per letter of {@code axes}; 0.5: {@code halo: 32} on each space axis object.
     */
    private Integer halo(Map<String, Object> output) {
        int most = 0;
        Object axes = output.get("axes");
        if (axes instanceof String letters) {
            if (output.get("halo") == null) {
                return null;
            }
            List<Object> halo = list(output.get("halo"), "output halo");
            if (halo.size() != letters.length()) {
                throw error("the output's halo " + halo + " has " + halo.size() + " values for the "
                        + letters.length() + " axes '" + letters + "' (one per axis)");
            }
            for (int i = 0; i < letters.length(); i++) {
                if ("xyz".indexOf(letters.charAt(i)) >= 0) {
                    most = Math.max(most, number(halo.get(i), "output halo").intValue());
                }
            }
        } else if (axes instanceof List<?> list) {
            for (Object a : list) {
                if (a instanceof Map<?, ?> axis && "space".equals(axis.get("type")) && axis.get("halo") != null) {
                    most = Math.max(most, number(axis.get("halo"), "output halo").intValue());
                }
            }
        }
        return most > 0 ? most : null;
    }

    // ---- classes and tolerances ----

    private List<String> classes(Map<String, Object> config, Map<String, Object> output, Map<String, Object> rdf) {
        if (config.get("cnn-explain") instanceof Map<?, ?> ours && ours.get("classes") instanceof List<?> l) {
            return l.stream().map(Object::toString).toList();
        }
        if (output.get("axes") instanceof List<?> axes) {
            for (Object a : axes) {
                if (a instanceof Map<?, ?> m && "channel".equals(m.get("type")) && m.get("channel_names") instanceof List<?> n) {
                    return n.stream().map(Object::toString).toList();
                }
            }
        }
        for (String f : attachments(rdf.get("attachments"))) {
            String lower = f.toLowerCase(Locale.ROOT);
            if ((lower.contains("label") || lower.contains("class")) && lower.endsWith(".txt")) {
                try {
                    return Files.readAllLines(file(f, "labels attachment")).stream().map(String::trim)
                            .filter(s -> !s.isEmpty()).toList();
                } catch (IOException e) {
                    throw error("cannot read attachment '" + f + "': " + e.getMessage());
                }
            }
        }
        return null;
    }

    /** 0.4: {@code {files: [a, b]}}; 0.5: {@code [{source: a}, ...]}. */
    private static List<String> attachments(Object a) {
        List<String> files = new ArrayList<>();
        Object list = a instanceof Map<?, ?> m ? m.get("files") : a;
        if (list instanceof List<?> l) {
            for (Object o : l) {
                Object src = o instanceof Map<?, ?> m ? m.get("source") : o;
                if (src != null) {
                    files.add(src.toString());
                }
            }
        }
        return files;
    }

    /**
     * 0.5: the first {@code config.bioimageio.reproducibility_tolerance} entry for our weights
     * format; 0.4: {@code config.bioimageio.test_kwargs.<format>} with {@code absolute_tolerance},
     * {@code relative_tolerance} or {@code decimal} (|error| < 1.5 * 10^-decimal, as numpy's
     * assert_array_almost_equal).
     */
    private Tolerance tolerance(Map<String, Object> config) {
        double rel = 1e-3;
        double abs = 1e-4;
        double ppm = 100;
        if (config.get("bioimageio") instanceof Map<?, ?> bio) {
            if (bio.get("reproducibility_tolerance") instanceof List<?> l) {
                for (Object o : l) {
                    if (o instanceof Map<?, ?> t && appliesTo(t.get("weights_formats"))) {
                        return new Tolerance(d(t.get("relative_tolerance"), rel), d(t.get("absolute_tolerance"), abs),
                                d(t.get("mismatched_elements_per_million"), ppm));
                    }
                }
            }
            if (bio.get("test_kwargs") instanceof Map<?, ?> kw && kw.get(weightsFormatRaw()) instanceof Map<?, ?> t) {
                if (t.get("decimal") != null) {
                    return new Tolerance(0, 1.5 * Math.pow(10, -d(t.get("decimal"), 4)), 0);
                }
                return new Tolerance(d(t.get("relative_tolerance"), rel), d(t.get("absolute_tolerance"), abs), ppm);
            }
        }
        return new Tolerance(rel, abs, ppm);
    }

    private String weightsFormatRaw() {
        return weights.getFileName().toString().endsWith(".onnx") ? "onnx" : "torchscript";
    }

    private boolean appliesTo(Object formats) {
        return !(formats instanceof List<?> l) || l.isEmpty() || l.contains(weightsFormatRaw());
    }

    private static double d(Object o, double fallback) {
        return o instanceof Number n ? n.doubleValue() : fallback;
    }

    // ---- typed access with one-line errors ----

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(Object o, String what) {
        if (!(o instanceof Map<?, ?>)) {
            throw error(what + " should be a mapping, found " + describe(o));
        }
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o, String what) {
        if (!(o instanceof List<?>)) {
            throw error(what + " should be a list, found " + describe(o));
        }
        return (List<Object>) o;
    }

    private String text(Object o, String what) {
        if (o == null) {
            throw error("has no " + what);
        }
        return o.toString();
    }

    private Number number(Object o, String what) {
        if (!(o instanceof Number n)) {
            throw error(what + " should be a number, found " + describe(o));
        }
        return n;
    }

    private static String describe(Object o) {
        return o == null ? "nothing" : "'" + o + "'";
    }
}
