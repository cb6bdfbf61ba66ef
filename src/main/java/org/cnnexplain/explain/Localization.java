package org.cnnexplain.explain;

/**
 * Does a map point at a known object? The two standard scores, for a map and a
 * ground-truth mask of the same size (row-major, {@code width} wide).
 *
 * <ul>
 *   <li>pointing game (Zhang et al. 2016): the map's maximum lies within
 *       {@code tolerance} pixels of the mask;</li>
 *   <li>energy-based pointing game (Wang et al. 2020): the share of the map's
 *       positive mass inside the mask, here divided by the mask's share of the image,
 *       so 1 means "no better than uniform".</li>
 * </ul>
 */
public final class Localization {

    private Localization() {
    }

    public static boolean pointingHit(float[] map, boolean[] mask, int width, double tolerance) {
        int peak = 0;
        for (int i = 1; i < map.length; i++) {
            if (map[i] > map[peak]) {
                peak = i;
            }
        }
        int px = peak % width;
        int py = peak / width;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] && Math.hypot(i % width - px, i / width - py) <= tolerance) {
                return true;
            }
        }
        return false;
    }

    public static double energyRatio(float[] map, boolean[] mask) {
        double inside = 0;
        double total = 0;
        int area = 0;
        for (int i = 0; i < map.length; i++) {
            double v = Math.max(map[i], 0);
            total += v;
            if (mask[i]) {
                inside += v;
                area++;
            }
        }
        return total == 0 || area == 0 ? 0 : (inside / total) / (area / (double) map.length);
    }
}
