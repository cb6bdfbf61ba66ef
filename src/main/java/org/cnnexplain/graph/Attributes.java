package org.cnnexplain.graph;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import org.cnnexplain.UserError;

/**
 * A node's attributes by name, with typed getters that fall back to the ONNX
 * default when an attribute is absent.
 *
 * <p>Values are stored as read: {@code Long}, {@code Float}, {@code String},
 * {@code long[]}, {@code float[]} or a constant {@link NDArray}.
 */
public final class Attributes {

    private final Map<String, Object> values;

    public Attributes(Map<String, Object> values) {
        this.values = Map.copyOf(values);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public long getInt(String name, long fallback) {
        Object v = values.get(name);
        return v == null ? fallback : ((Number) v).longValue();
    }

    public float getFloat(String name, float fallback) {
        Object v = values.get(name);
        return v == null ? fallback : ((Number) v).floatValue();
    }

    public String getString(String name, String fallback) {
        Object v = values.get(name);
        return v == null ? fallback : (String) v;
    }

    /** The ints attribute, or {@code null} when absent. */
    public long[] getInts(String name) {
        return (long[]) values.get(name);
    }

    public float[] getFloats(String name) {
        return (float[]) values.get(name);
    }

    public NDArray getTensor(String name) {
        return (NDArray) values.get(name);
    }

    /** Throws a {@link UserError} unless {@code name} is absent or equals {@code supported}. */
    public void requireInt(Node node, String name, long supported) {
        if (has(name) && getInt(name, supported) != supported) {
            throw new UserError(node.describe() + ": attribute " + name + "=" + getInt(name, supported)
                    + " is not supported (only " + supported + ")");
        }
    }

    public Map<String, Object> asMap() {
        return values;
    }
}
