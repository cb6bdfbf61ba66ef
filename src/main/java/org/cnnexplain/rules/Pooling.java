package org.cnnexplain.rules;

import java.util.Locale;
import org.cnnexplain.UserError;

/** How a channel's map becomes one number per image: its maximum ("is it anywhere?") or its mean ("how much of it?"). */
public enum Pooling {
    MAX, MEAN;

    /** The lower-case name used in parameters, text and JSON ({@code max}, {@code mean}). */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Pooling parse(String s) {
        String k = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
        for (Pooling p : values()) {
            if (p.key().equals(k)) {
                return p;
            }
        }
        throw new UserError("unknown pooling '" + s + "' (valid: max, mean)");
    }
}
