package org.cnnexplain.model;

import java.util.Comparator;
import java.util.List;
import org.cnnexplain.UserError;

/**
 * How a user names a layer: the exact node name
 * ({@code /layer4/layer4.1/relu_1/Relu}), the node's output tensor name
 * ({@code /layer4/layer4.1/relu_1/Relu_output_0}), or a module path as written
 * in PyTorch ({@code layer4}, {@code layer4.1}, {@code features.18}), which means
 * the last node inside that module. {@code auto} is resolved by the explanation
 * methods, not here.
 *
 * <p>torch.onnx names a node by the scopes of the modules it is in, one path segment
 * per module, in two styles: a numbered child of a Sequential carries its parent's name
 * ({@code /features/features.18/Relu}, {@code /layer4/layer4.0/downsample/downsample.0/Conv}),
 * a named child only its own name ({@code /features/relu5/Relu}, {@code /layer4/layer4.1/conv1/Conv}).
 * A module called a second time gets a suffix ({@code relu_1}). So each node's module paths are
 * rebuilt segment by segment — a segment that starts with the previous segment plus a dot adds
 * what follows the dot, any other adds itself — and a module path matches a node when it
 * equals one of them, with or without the reuse suffix ({@code layer4.1.relu} finds
 * {@code /layer4/layer4.1/relu_1/Relu}), or when it equals one segment
 * ({@code relu5}, as before). {@code /} may stand for {@code .}.
 */
public final class LayerNames {

    private LayerNames() {
    }

    public static Layer resolve(String name, List<Layer> layers, String model) {
        String n = name.trim();
        for (Layer l : layers) {
            if (l.name().equals(n)) {
                return l;
            }
        }
        for (Layer l : layers) {
            if (l.output().equals(n)) {
                return l;
            }
        }
        Layer last = null;
        for (Layer l : layers) {
            if (inModule(l.name(), n)) {
                last = l;
            }
        }
        if (last != null) {
            return last;
        }
        throw new UserError("unknown layer '" + name + "' in model '" + model + "'; closest valid names: "
                + String.join(", ", closest(n, layers, 5)) + " (list them all with: cnn-explain layers --model ...)");
    }

    static boolean inModule(String nodeName, String module) {
        String dotted = module.replace('/', '.');
        if (dotted.startsWith(".")) {
            dotted = dotted.substring(1);
        }
        String[] segments = nodeName.split("/");
        for (int i = 0; i < segments.length - 1; i++) {   // the last segment is the op, not a module
            if (segments[i].equals(module) || segments[i].equals(dotted)) {
                return true;
            }
        }
        for (String path : modulePaths(nodeName)) {
            if (path.equals(dotted) || withoutReuseSuffix(path).equals(dotted)) {
                return true;
            }
        }
        return false;
    }

    /**
     * "/features/relu5/Relu" → [features, features.relu5]; "/layer4/layer4.0/downsample/downsample.0/Conv" →
     * [layer4, layer4.0, layer4.0.downsample, layer4.0.downsample.0].
     */
    static List<String> modulePaths(String nodeName) {
        String[] segments = nodeName.split("/");
        List<String> paths = new java.util.ArrayList<>();
        String path = "";
        String previous = null;
        for (int i = 0; i < segments.length - 1; i++) {
            String seg = segments[i];
            if (seg.isEmpty()) {
                continue;
            }
            String child = previous != null && seg.startsWith(previous + ".") ? seg.substring(previous.length() + 1) : seg;
            path = path.isEmpty() ? seg : path + "." + child;
            paths.add(path);
            previous = seg;
        }
        return paths;
    }

    /** "layer4.1.relu_1" → "layer4.1.relu": torch's name for the second call of the same module. */
    private static String withoutReuseSuffix(String path) {
        return path.replaceFirst("_\\d+$", "");
    }

    /** The {@code k} names (node names and module paths) nearest to {@code query} by edit distance. */
    static List<String> closest(String query, List<Layer> layers, int k) {
        java.util.Set<String> candidates = new java.util.LinkedHashSet<>();
        for (Layer l : layers) {
            String[] segments = l.name().split("/");
            for (int i = 0; i < segments.length - 1; i++) {
                if (!segments[i].isEmpty()) {
                    candidates.add(segments[i]);
                }
            }
            candidates.addAll(modulePaths(l.name()));
            candidates.add(l.name());
        }
        return candidates.stream()
                .sorted(Comparator.comparingInt((String c) -> distance(query.toLowerCase(), c.toLowerCase()))
                        .thenComparingInt(String::length))
                .limit(k).toList();
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
