package org.cnnexplain.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cnnexplain.UserError;

/** {@code --name value} options and {@code --flag} switches of one command, checked against what it accepts. */
final class Args {

    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();

    Args(String command, List<String> args, Set<String> options, Set<String> flags) {
        this.command = command;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new UserError(command + ": unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq > 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                values.put(name, "true");
            } else if (options.contains(name)) {
                if (inline == null && (i + 1 >= args.size() || args.get(i + 1).startsWith("--"))) {
                    throw new UserError(command + ": option --" + name + " needs a value");
                }
                values.put(name, inline != null ? inline : args.get(++i));
            } else if (!name.equals("debug")) {
                throw new UserError(command + ": unknown option --" + name + " (valid: --"
                        + String.join(", --", union(options, flags)) + ")");
            }
        }
    }

    private static List<String> union(Set<String> a, Set<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).sorted().toList();
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    String require(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new UserError(command + ": --" + name + " is required");
        }
        return v;
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }
}
