package org.cnnexplain.explain.maximize;

import java.util.Arrays;
import java.util.Locale;
import org.cnnexplain.UserError;

/**
 * The interval each input channel of a synthesised image lies in, in the model's input space: the image
 * is low + (high − low)·sigmoid(v) of its parameter image v, as Lucid bounds its images.
 *
 * <pre>{@code
 * Range.of(0, 1);                  // every channel in [0, 1]
 * Range.parse("0,1");              // the same, as a user types it
 * }</pre>
 *
 * @param low  per input channel, or one value for all
 * @param high per input channel, or one value for all
 */
public record Range(double[] low, double[] high) {

    public Range {
        if (low.length != high.length || low.length == 0) {
            throw new IllegalArgumentException("range: low and high need one value per channel");
        }
        for (int c = 0; c < low.length; c++) {
            if (!(high[c] > low[c]) || !Double.isFinite(low[c]) || !Double.isFinite(high[c])) {
                throw new UserError("range must be low,high with low < high, e.g. 0,1; got " + low[c] + "," + high[c]);
            }
        }
    }

    public static Range of(double low, double high) {
        return new Range(new double[] {low}, new double[] {high});
    }

    /** "low,high". */
    public static Range parse(String s) {
        String[] parts = s.trim().split("\\s*,\\s*");
        if (parts.length != 2) {
            throw new UserError("range must be low,high (e.g. 0,1) or auto; got '" + s + "'");
        }
        try {
            return of(Double.parseDouble(parts[0]), Double.parseDouble(parts[1]));
        } catch (NumberFormatException e) {
            throw new UserError("range must be two numbers low,high (e.g. 0,1) or auto; got '" + s + "'");
        }
    }

    double low(int channel) {
        return low[low.length == 1 ? 0 : channel];
    }

    double high(int channel) {
        return high[high.length == 1 ? 0 : channel];
    }

    public String describe() {
        if (low.length == 1) {
            return String.format(Locale.ROOT, "[%.4g, %.4g]", low[0], high[0]);
        }
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < low.length; c++) {
            b.append(c == 0 ? "" : " ").append(String.format(Locale.ROOT, "[%.4g, %.4g]", low[c], high[c]));
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Range r && Arrays.equals(low, r.low) && Arrays.equals(high, r.high);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(low) + Arrays.hashCode(high);
    }

    @Override
    public String toString() {
        return describe();
    }
}
