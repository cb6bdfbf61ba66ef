package org.cnnexplain.render;

import ij.plugin.LutLoader;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import org.cnnexplain.UserError;

/**
 * Colour tables by name: the perceptual {@code inferno}, {@code viridis} and
 * {@code turbo} bundled with the plugin (plain ImageJ 1 has no mpl-* LUTs), and
 * ImageJ's built-in ones ({@code fire}, {@code ice}, {@code grays}, {@code spectrum}, ...).
 *
 * <pre>{@code
 * IndexColorModel lut = Luts.get("inferno");
 * int rgb = Luts.rgb(lut, 255);   // the brightest colour
 * }</pre>
 */
public final class Luts {

    public static final List<String> BUNDLED = List.of("inferno", "viridis", "turbo");
    public static final List<String> BUILT_IN = List.of("fire", "ice", "grays", "spectrum", "red", "green", "blue",
            "cyan", "magenta", "yellow", "redgreen");

    private Luts() {
    }

    public static IndexColorModel get(String name) {
        String n = name == null ? "inferno" : name.trim().toLowerCase(Locale.ROOT);
        if (BUNDLED.contains(n)) {
            return bundled(n);
        }
        if (BUILT_IN.contains(n)) {
            IndexColorModel cm = LutLoader.getLut(n);
            if (cm != null) {
                return cm;
            }
        }
        throw new UserError("unknown lut '" + name + "' (valid: " + String.join(", ", BUNDLED) + ", "
                + String.join(", ", BUILT_IN) + ")");
    }

    private static IndexColorModel bundled(String name) {
        try (InputStream in = Luts.class.getResourceAsStream("luts/" + name + ".lut")) {
            byte[] b = in.readAllBytes();
            byte[] r = java.util.Arrays.copyOfRange(b, 0, 256);
            byte[] g = java.util.Arrays.copyOfRange(b, 256, 512);
            byte[] bl = java.util.Arrays.copyOfRange(b, 512, 768);
            return new IndexColorModel(8, 256, r, g, bl);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("bundled LUT " + name + " is missing from the jar", e);
        }
    }

    /** The packed RGB of level {@code index} (0-255). */
    public static int rgb(IndexColorModel lut, int index) {
        return lut.getRGB(index) & 0xffffff;
    }
}
