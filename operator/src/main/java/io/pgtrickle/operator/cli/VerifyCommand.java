package io.pgtrickle.operator.cli;

import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.verify.ResultComparison;
import io.pgtrickle.operator.verify.StreamTableVerifier;
import io.pgtrickle.operator.verify.Verification;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * {@code pgtrickle verify --db URL NAME... [--rows N] [--repair]}: compares each named stream table with its query
 * at the snapshot a refresh would take now, changing nothing ({@link Verification}), and prints a line per stream
 * table and the differing rows. The exit code is a contract: 0 every one equals its query, 1 any differs, 2 none
 * differs but one could not be verified (unknown, suspended and differing, an error) or a usage error.
 */
final class VerifyCommand {
    private final PrintStream out;

    VerifyCommand(PrintStream out) {
        this.out = out;
    }

    int run(Args a) {
        if (a.positional().isEmpty()) {
            throw new Args.UsageException("verify needs at least one NAME");
        }
        int rows = rows(a.one("--rows", Integer.toString(StreamTableVerifier.DEFAULT_SAMPLE)));
        StreamTableVerifier verifier = new StreamTableVerifier(Main.database(a));
        boolean differs = false;
        boolean unverified = false;
        for (String n : a.positional()) {
            StreamTableKey key = Main.key(n, Main.namespace(a));
            Verification.Result r = verifier.verify(key, rows, a.has("--repair"));
            String name = key.namespace().equals("default") ? key.name() : key.toString();
            switch (r.verdict()) {
                case CONSISTENT -> out.printf(Locale.ROOT, "%s  consistent: %s; %.0f ms%n", name, r.message(),
                        r.durationMs());
                case DIFFERS -> {
                    differs = true;
                    out.printf(Locale.ROOT, "%s  DIFFERS: %s; %.0f ms%n", name, r.message(), r.durationMs());
                    ResultComparison.Difference d = r.difference();
                    print("missing", d.missingSample(), d.missing());
                    print("extra", d.extraSample(), d.extra());
                    if (r.repair() != null) {
                        out.println("  " + r.repair());
                    }
                }
                case NOT_VERIFIED -> {
                    unverified = true;
                    out.printf("%s  NOT VERIFIED: %s%n", name, r.message());
                }
            }
        }
        return differs ? 1 : unverified ? 2 : 0;
    }

    /** Up to the sample's rows of one kind, and how many more there are. */
    private void print(String kind, List<String> sample, long count) {
        sample.forEach(row -> out.println("  " + kind + ": " + row));
        if (count > sample.size()) {
            out.printf("  … %d more %s row(s) (--rows shows more)%n", count - sample.size(), kind);
        }
    }

    private static int rows(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new Args.UsageException("--rows takes a number of rows (0 or more), not '" + text + "'");
    }
}
