package org.cnnexplain.rules;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.cnnexplain.UserError;

/**
 * The rows of a neuron atlas ({@code atlas.csv}, written by the Neuron Atlas command) for one
 * layer, so each channel a rule uses can be shown with the image patches that excite it most.
 * Columns: {@code layer,channel,rank,image,slice,x,y,activation,rf_x0,rf_y0,rf_x1,rf_y1}, any order.
 *
 * <pre>{@code
 * AtlasRows a = AtlasRows.read(Path.of("atlas-out"), List.of("block4", "/block4/block4.2/Relu"));
 * a.top(12, 3);   // channel 12's three strongest neurons, rank 1 first
 * }</pre>
 */
public final class AtlasRows {

    /** One atlas row: a neuron of {@code channel} at (x, y) of plane {@code slice} of {@code image}. */
    public record Entry(int channel, int rank, String image, int slice, double x, double y, double activation) {
    }

    private static final List<String> NEEDED = List.of("layer", "channel", "rank", "image", "slice", "x", "y",
            "activation");

    private final Path file;
    private final Map<Integer, List<Entry>> byChannel;
    private final String note;

    private AtlasRows(Path file, Map<Integer, List<Entry>> byChannel, String note) {
        this.file = file;
        this.byChannel = byChannel;
        this.note = note;
    }

    /**
     * Reads {@code atlas.csv} in {@code dirOrFile} (or that file itself), keeping the rows whose
     * layer is one of {@code layerNames}. A missing file or column is a {@link UserError}; an atlas
     * of other layers only gives no rows and a {@link #note()} naming the layers it has.
     */
    public static AtlasRows read(Path dirOrFile, Collection<String> layerNames) {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("atlas.csv") : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new UserError("atlas not found: " + file + " (give the folder the Neuron Atlas wrote, with atlas.csv)");
        }
        Map<Integer, List<Entry>> rows = new HashMap<>();
        TreeSet<String> otherLayers = new TreeSet<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null) {
                throw new UserError("atlas " + file + " is empty");
            }
            List<String> columns = split(header.strip());
            int[] at = new int[NEEDED.size()];
            for (int i = 0; i < at.length; i++) {
                at[i] = columns.indexOf(NEEDED.get(i));
                if (at[i] < 0) {
                    throw new UserError("atlas " + file + " has no column '" + NEEDED.get(i) + "' (expected "
                            + String.join(",", NEEDED) + ",rf_x0,rf_y0,rf_x1,rf_y1)");
                }
            }
            String line;
            int number = 1;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                List<String> f = split(line);
                try {
                    String layer = f.get(at[0]);
                    if (!layerNames.contains(layer)) {
                        otherLayers.add(layer);
                        continue;
                    }
                    Entry e = new Entry(Integer.parseInt(f.get(at[1]).trim()), Integer.parseInt(f.get(at[2]).trim()),
                            f.get(at[3]), Integer.parseInt(f.get(at[4]).trim()), Double.parseDouble(f.get(at[5])),
                            Double.parseDouble(f.get(at[6])), Double.parseDouble(f.get(at[7])));
                    rows.computeIfAbsent(e.channel(), c -> new ArrayList<>()).add(e);
                } catch (RuntimeException ex) {
                    throw new UserError("atlas " + file + " line " + number + " is not a valid row: " + line);
                }
            }
        } catch (IOException e) {
            throw new UserError("cannot read atlas " + file + ": " + e.getMessage());
        }
        rows.values().forEach(l -> l.sort(Comparator.comparingInt(Entry::rank)));
        String note = rows.isEmpty() ? "atlas " + file.getFileName() + " has no rows for layer "
                + String.join(" / ", new TreeSet<>(layerNames)) + (otherLayers.isEmpty() ? ""
                : " (it has " + String.join(", ", otherLayers) + ")") : null;
        return new AtlasRows(file, rows, note);
    }

    public Path file() {
        return file;
    }

    /** Why no channel has rows, or null. */
    public String note() {
        return note;
    }

    /** The {@code k} best-ranked rows of {@code channel} (fewer when the atlas has fewer; empty when none). */
    public List<Entry> top(int channel, int k) {
        List<Entry> l = byChannel.getOrDefault(channel, List.of());
        return l.subList(0, Math.min(k, l.size()));
    }

    /** A CSV line's fields; double quotes around a field protect commas ({@code ""} is a quote). */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    field.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(field.toString());
                field.setLength(0);
            } else {
                field.append(ch);
            }
        }
        out.add(field.toString());
        return out;
    }
}
