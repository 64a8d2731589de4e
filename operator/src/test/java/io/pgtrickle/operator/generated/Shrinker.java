package io.pgtrickle.operator.generated;

import io.pgtrickle.operator.generated.DmlGenerator.Batch;
import io.pgtrickle.operator.generated.GenReplay.Failure;
import io.pgtrickle.operator.lifecycle.RefreshTuning;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;

/**
 * Reduces a failing case while it still fails the same way (same check kind, same
 * {@link FailureClass}): drops the batches after the failing one, then, greedily and until nothing
 * more can go, earlier batches, transactions, single statements and the optional parts of the query
 * ({@link GenQuery#simplifications()}, each checked valid by PostgreSQL first). Each attempt is a
 * replay on a fresh database, so the budget bounds the time spent.
 */
final class Shrinker {
    /** A shrunk case: its query, batches, the failure it still shows, and the replays it took. */
    record Shrunk(GenQuery query, List<Batch> batches, Failure failure, int attempts, RefreshTuning tuning) {
        String sql() {
            return query.sql();
        }
    }

    private final long deadline;
    private final int maxAttempts;
    private int attempts;
    private final Set<String> tried = new HashSet<>();
    private GenQuery query;
    private List<Batch> batches;
    private Failure failure;

    private final RefreshTuning tuning;

    private Shrinker(RefreshTuning tuning, long budgetMillis, int maxAttempts) {
        this.tuning = tuning;
        this.deadline = System.currentTimeMillis() + budgetMillis;
        this.maxAttempts = maxAttempts;
    }

    /**
     * Shrinks {@code query} over {@code batches}; null when the failure ({@code original}, when known)
     * does not reproduce the same way with the query alone on a fresh database (it then depends on the
     * other stream tables of its group).
     */
    static Shrunk shrink(GenQuery query, List<Batch> batches, RefreshTuning tuning, Failure original,
                         long budgetMillis, int maxAttempts) throws SQLException {
        Shrinker s = new Shrinker(tuning, budgetMillis, maxAttempts);
        Failure f = GenReplay.firstFailure(query.sql(), batches, tuning);
        if (f == null || (original != null && (f.cls() != original.cls()
                || f.check().kind() != original.check().kind()))) {
            return null;
        }
        s.query = query;
        s.failure = f;
        s.batches = List.copyOf(batches.subList(0, f.batch()));
        s.run();
        return new Shrunk(s.query, s.batches, s.failure, s.attempts, tuning);
    }

    private boolean budgetLeft() {
        return attempts < maxAttempts && System.currentTimeMillis() < deadline;
    }

    /** Replays a candidate; keeps it when it fails the same way. */
    private boolean tryCandidate(GenQuery q, List<Batch> b) throws SQLException {
        if (!budgetLeft()) {
            return false;
        }
        if (!tried.add(q.sql() + "\u0000" + b)) {
            return false;
        }
        attempts++;
        Failure f = GenReplay.firstFailure(q.sql(), b, tuning);
        if (f == null || f.cls() != failure.cls() || f.check().kind() != failure.check().kind()) {
            return false;
        }
        query = q;
        failure = f;
        batches = List.copyOf(b.subList(0, f.batch()));
        return true;
    }

    private void run() throws SQLException {
        boolean progress = true;
        while (progress && budgetLeft()) {
            progress = false;
            for (int i = 0; i < batches.size() && budgetLeft(); i++) {
                if (tryCandidate(query, GenQuery.without(batches, i))) {
                    progress = true;
                    i--;
                }
            }
            while (shrinkTransactions()) {
                progress = true;
            }
            progress |= shrinkQuery();
        }
    }

    /** Drops one transaction or one statement; true at the first that keeps the failure. */
    private boolean shrinkTransactions() throws SQLException {
        for (int b = 0; b < batches.size() && budgetLeft(); b++) {
            List<List<String>> txs = batches.get(b).transactions();
            for (int t = 0; t < txs.size() && budgetLeft(); t++) {
                if (txs.size() > 1 && tryCandidate(query, withBatch(b, new Batch(GenQuery.without(txs, t))))) {
                    return true;
                }
                List<String> tx = txs.get(t);
                for (int s = 0; tx.size() > 1 && s < tx.size() && budgetLeft(); s++) {
                    List<List<String>> smaller = GenQuery.replaced(txs, t, GenQuery.without(tx, s));
                    if (tryCandidate(query, withBatch(b, new Batch(smaller)))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private List<Batch> withBatch(int i, Batch b) {
        return GenQuery.replaced(batches, i, b);
    }

    private boolean shrinkQuery() throws SQLException {
        boolean progress = false;
        boolean again = true;
        try (GenLab lab = new GenLab("gen_shrink_check")) {
            lab.applyUpstreams("", true);
            while (again && budgetLeft()) {
                again = false;
                for (GenQuery candidate : query.simplifications()) {
                    if (!budgetLeft()) {
                        break;
                    }
                    if (lab.validate(candidate.sql()) == null && tryCandidate(candidate, batches)) {
                        progress = true;
                        again = true;
                        break;
                    }
                }
            }
        }
        return progress;
    }

    /** The shrunk case as a JUnit 5 test method to paste into {@code GeneratedRegressionIT}. */
    static String junit(Shrunk s, String testName, String origin) {
        StringBuilder b = new StringBuilder();
        b.append("    /** ").append(origin).append(": ").append(s.failure().cls()).append(". */\n");
        b.append("    @Test\n    void ").append(testName).append("() throws Exception {\n");
        b.append("        GenReplay.assertExact(\n                ");
        if (s.tuning().equals(RefreshTuning.DEFAULTS)) {
            b.append("RefreshTuning.DEFAULTS, ");
        }
        b.append(java(s.sql()));
        for (Batch batch : s.batches()) {
            b.append(",\n                batch(");
            List<String> txs = new ArrayList<>();
            for (List<String> tx : batch.transactions()) {
                txs.add("tx(" + String.join(", ", tx.stream().map(Shrinker::java).toList()) + ")");
            }
            b.append(String.join(",\n                        ", txs)).append(")");
        }
        b.append(");\n    }\n");
        return b.toString();
    }

    static String java(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
