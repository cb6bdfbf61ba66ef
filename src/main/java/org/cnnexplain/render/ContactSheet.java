package org.cnnexplain.render;

import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A labelled contact sheet: one tile per image, the image in grey beside its
 * overlay, with a few lines of text under it (file name, prediction, ...). A
 * tile marked wrong gets a red frame and red text, so misclassified images stand
 * out at a glance.
 *
 * <pre>{@code
 * ColorProcessor sheet = ContactSheet.draw(List.of(
 *         new ContactSheet.Tile(imp.getProcessor(), overlay, List.of("cell_004.tif", "mitotic 0.97"), false)), 4);
 * }</pre>
 */
public final class ContactSheet {

    /** Longest side of one panel (image or overlay) in the sheet, in pixels. */
    static final int PANEL = 160;
    private static final int GAP = 8;
    private static final int LINE = 14;

    /**
     * @param image   the input plane (any type; shown in grey with auto-contrast)
     * @param overlay the map blended onto it, or null for the image alone
     * @param lines   text under the tile, first line in bold
     * @param wrong   marks the tile (red frame, red text)
     */
    public record Tile(ImageProcessor image, ColorProcessor overlay, List<String> lines, boolean wrong) {
    }

    private ContactSheet() {
    }

    /** The sheet with {@code columns} tiles per row (fewer when there are fewer tiles). */
    public static ColorProcessor draw(List<Tile> tiles, int columns) {
        if (tiles.isEmpty()) {
            throw new IllegalArgumentException("no tiles");
        }
        int cols = Math.max(1, Math.min(columns, tiles.size()));
        int rows = (tiles.size() + cols - 1) / cols;
        int maxLines = tiles.stream().mapToInt(t -> t.lines().size()).max().orElse(0);
        int[] panel = {1, 1};   // the box every tile's panels fit in
        for (Tile t : tiles) {
            int[] own = panelSize(t.image());
            panel[0] = Math.max(panel[0], own[0]);
            panel[1] = Math.max(panel[1], own[1]);
        }
        int panels = tiles.stream().anyMatch(t -> t.overlay() != null) ? 2 : 1;
        int tileW = panels * panel[0] + (panels - 1) * 2;
        int tileH = panel[1] + 4 + maxLines * LINE;
        BufferedImage sheet = new BufferedImage(GAP + cols * (tileW + GAP), GAP + rows * (tileH + GAP),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
        Font plain = new Font("SansSerif", Font.PLAIN, 11);
        Font bold = plain.deriveFont(Font.BOLD);
        for (int i = 0; i < tiles.size(); i++) {
            Tile t = tiles.get(i);
            int x = GAP + i % cols * (tileW + GAP);
            int y = GAP + i / cols * (tileH + GAP);
            ColorProcessor grey = HeatmapRendering.blend(t.image(), new float[t.image().getPixelCount()],
                    Luts.get("grays"), 0);
            int[] own = panelSize(t.image());
            g.drawImage(grey.createImage(), x, y, own[0], own[1], null);
            if (t.overlay() != null) {
                g.drawImage(t.overlay().createImage(), x + panel[0] + 2, y, own[0], own[1], null);
            }
            if (t.wrong()) {
                g.setColor(new Color(0xD0, 0x10, 0x10));
                g.setStroke(new BasicStroke(3));
                g.drawRect(x - 2, y - 2, tileW + 3, panel[1] + 3);
            }
            g.setColor(t.wrong() ? new Color(0xB0, 0x00, 0x00) : Color.BLACK);
            for (int l = 0; l < t.lines().size(); l++) {
                g.setFont(l == 0 ? bold : plain);
                g.drawString(fit(t.lines().get(l), g.getFontMetrics(), tileW), x, y + panel[1] + 2 + (l + 1) * LINE - 3);
            }
        }
        g.dispose();
        return new ColorProcessor(sheet);
    }

    /** Width and height of one panel: the image scaled so its longer side is {@link #PANEL}. */
    static int[] panelSize(ImageProcessor ip) {
        double s = PANEL / (double) Math.max(ip.getWidth(), ip.getHeight());
        return new int[] {Math.max(1, (int) Math.round(ip.getWidth() * s)), Math.max(1, (int) Math.round(ip.getHeight() * s))};
    }

    /** The text, cut with an ellipsis where it would run into the next tile. */
    private static String fit(String text, FontMetrics m, int width) {
        if (m.stringWidth(text) <= width) {
            return text;
        }
        String s = text;
        while (!s.isEmpty() && m.stringWidth(s + "…") > width) {
            s = s.substring(0, s.length() - 1);
        }
        return s + "…";
    }
}
