package io.pgtrickle.operator.generated;

import io.pgtrickle.operator.generated.DmlGenerator.Batch;
import io.pgtrickle.operator.lifecycle.RefreshTuning;

import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * Replays one case alone on a fresh database: {@link GenSchema}, the upstream stream tables the
 * query reads, the query applied as a stream table (AUTO, tuned as {@link GenLab#TUNING} unless
 * told otherwise) — after a first batch marked {@link #BEFORE_APPLY}, if any — then each batch followed by refreshes
 * (upstream first) and a comparison with the query. The shrinker replays candidates through it,
 * and shrunk cases printed as JUnit tests call {@link #assertExact}.
 */
public final class GenReplay {
    private GenReplay() {
    }

    /**
     * The first failed check of a replay: {@code batch} is how many batches ran before it (a batch
     * marked {@link #BEFORE_APPLY} runs before the apply and counts), with the plan's mode.
     */
    record Failure(int batch, String effectiveMode, GenLab.Check check, FailureClass cls) {
        @Override
        public String toString() {
            return cls + " at batch " + batch + " (" + effectiveMode + ", refresh " + check.mode() + "): " + check.kind()
                    + " " + check.detail();
        }
    }

    /** Replays and returns the first failure, or null when the stream table stays equal to its query. */
    static Failure firstFailure(String sql, List<Batch> batches) throws SQLException {
        return firstFailure(sql, batches, GenLab.TUNING);
    }

    /** The same with AUTO tuned by {@code tuning}. */
    static Failure firstFailure(String sql, List<Batch> batches, RefreshTuning tuning) throws SQLException {
        try (GenLab lab = new GenLab("gen_replay", tuning)) {
            int first = !batches.isEmpty() && isSetup(batches.get(0)) ? 1 : 0;
            if (first == 1) {
                lab.run(batches.get(0));
            }
            List<GenLab.Installed> up = lab.applyUpstreams(sql, false);
            String invalid = lab.validate(sql);
            if (invalid != null) {
                return new Failure(first, null, new GenLab.Check(GenLab.Kind.INVALID_QUERY, null, invalid, List.of(),
                        List.of()), FailureClass.GENERATOR);
            }
            Object applied = lab.apply("replayed", sql);
            if (applied instanceof GenLab.Check c) {
                return new Failure(first, null, c, FailureClass.of(sql, null, c));
            }
            GenLab.Installed st = (GenLab.Installed) applied;
            String mode = st.record().effectiveMode();
            GenLab.Check initial = lab.compare(st, "initial");
            if (!initial.ok()) {
                return new Failure(first, mode, initial, FailureClass.of(sql, mode, initial));
            }
            for (int b = first; b < batches.size(); b++) {
                lab.run(batches.get(b));
                for (GenLab.Installed u : up) {
                    GenLab.Check uc = lab.refreshAndCheck(u);
                    if (!uc.ok()) {
                        return new Failure(b + 1, u.record().effectiveMode(), uc, FailureClass.UNKNOWN);
                    }
                }
                GenLab.Check c = lab.refreshAndCheck(st);
                if (!c.ok()) {
                    return new Failure(b + 1, mode, c, FailureClass.of(sql, mode, c));
                }
            }
            return null;
        }
    }

    /** Fails with the first difference between the stream table of {@code sql} and {@code sql} over the batches. */
    public static void assertExact(String sql, Batch... batches) throws SQLException {
        assertExact(GenLab.TUNING, sql, batches);
    }

    /** The same with AUTO tuned by {@code tuning} (e.g. {@link RefreshTuning#DEFAULTS}). */
    public static void assertExact(RefreshTuning tuning, String sql, Batch... batches) throws SQLException {
        Failure f = firstFailure(sql, Arrays.asList(batches), tuning);
        if (f != null) {
            throw new AssertionError("the stream table differs from its query: " + f + "\nquery: " + sql);
        }
    }

    /** First statement of a batch run before the stream table is applied (a comment, not run). */
    public static final String BEFORE_APPLY = "-- before the stream table is applied";

    static boolean isSetup(Batch b) {
        return b.transactions().stream().anyMatch(tx -> !tx.isEmpty() && tx.get(0).equals(BEFORE_APPLY));
    }

    /** A batch of transactions (for tests written by hand or printed by the shrinker). */
    @SafeVarargs
    public static Batch batch(List<String>... transactions) {
        return new Batch(List.of(transactions));
    }

    /** A transaction of statements. */
    public static List<String> tx(String... statements) {
        return List.of(statements);
    }
}
