package io.pgtrickle.operator.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line arguments of one subcommand: options with a value ({@code --db URL}, {@code -f FILE},
 * repeatable) and positional words. Unknown options are usage errors, not silently ignored.
 */
record Args(Map<String, List<String>> options, List<String> positional) {

    static Args parse(List<String> argv, Set<String> valueOptions) {
        return parse(argv, valueOptions, Set.of());
    }

    /** As above; {@code flags} are options without a value ({@code --sql}), read with {@link #has}. */
    static Args parse(List<String> argv, Set<String> valueOptions, Set<String> flags) {
        Map<String, List<String>> opts = new HashMap<>();
        List<String> pos = new ArrayList<>();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.startsWith("-") && a.length() > 1) {
                String name = a;
                String value = null;
                int eq = a.indexOf('=');
                if (a.startsWith("--") && eq > 0) {
                    name = a.substring(0, eq);
                    value = a.substring(eq + 1);
                }
                if (flags.contains(name) && value == null) {
                    opts.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
                    continue;
                }
                if (!valueOptions.contains(name)) {
                    throw new UsageException("unknown option " + name);
                }
                if (value == null) {
                    if (i + 1 >= argv.size()) {
                        throw new UsageException("option " + name + " needs a value");
                    }
                    value = argv.get(++i);
                }
                opts.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                pos.add(a);
            }
        }
        return new Args(opts, pos);
    }

    String one(String name, String fallback) {
        List<String> v = options.get(name);
        return v == null || v.isEmpty() ? fallback : v.get(v.size() - 1);
    }

    boolean has(String flag) {
        return options.containsKey(flag);
    }

    String required(String name, String what) {
        String v = one(name, null);
        if (v == null) {
            throw new UsageException("missing " + name + " " + what);
        }
        return v;
    }

    List<String> all(String name) {
        return options.getOrDefault(name, List.of());
    }

    /** Bad command line: printed with the usage text, exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
