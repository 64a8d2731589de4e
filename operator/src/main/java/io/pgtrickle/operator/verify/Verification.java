package io.pgtrickle.operator.verify;

import io.pgtrickle.operator.catalog.CatalogStore;
import io.pgtrickle.operator.catalog.StreamTableRecord;
import io.pgtrickle.operator.lifecycle.NoSuchStreamTableException;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.refresh.RefreshTransaction;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * Verifies one stream table: is its storage table equal to its query? In one REPEATABLE READ transaction that is
 * always rolled back, so it changes nothing: it takes the locks a refresh takes (it waits for a refresh or apply of
 * the stream table in progress and holds the next one off; writers of the sources are never blocked), applies what
 * the next refresh would apply, exactly as it would (the changes since the frontier, or the recompute a FULL stream
 * table runs), and compares the result with PostgreSQL's own evaluation of the query text in the same snapshot
 * ({@link ResultComparison}). So the table is compared with its query at one snapshot, the frontier a refresh would
 * take now, whatever was written since the last refresh, and a difference is a real drift, never a lag.
 *
 * <p>A suspended stream table holds no changes (its capture is released), so what it lacks cannot be told from a
 * drift: it is compared as it is, and found consistent only when it equals its query; otherwise it is not verified.
 */
public final class Verification {
    private Verification() {
    }

    /** What a verification found. */
    public enum Verdict {
        /** The storage table equals the query. */
        CONSISTENT,
        /** It differs: {@link Result#difference()} counts and shows the rows. */
        DIFFERS,
        /** It could not be compared (unknown, suspended and differing, a lock or statement timeout, an error). */
        NOT_VERIFIED
    }

    /**
     * The outcome of one verification.
     *
     * @param message    one line: what was compared and how (CONSISTENT), the rows' counts (DIFFERS), or why nothing
     *                   could be said (NOT_VERIFIED); it shows no row
     * @param difference the comparison, with up to the requested number of differing rows each way; null when the
     *                   table was not compared
     * @param at         when the verification began
     * @param repair     what the repair of a drift did (a FULL refresh, or its failure); null when none ran
     */
    public record Result(StreamTableKey key, Verdict verdict, String message, ResultComparison.Difference difference,
                         Instant at, double durationMs, String repair) {
        static Result notVerified(StreamTableKey key, String message, Instant at, long t0) {
            return new Result(key, Verdict.NOT_VERIFIED, message, null, at, millisSince(t0), null);
        }

        Result withRepair(String what) {
            return new Result(key, verdict, message, difference, at, durationMs, what);
        }
    }

    /**
     * Verifies {@code key} on {@code c} (autocommit on return), showing up to {@code sample} differing rows each
     * way. Failures of the database are thrown; the transaction is rolled back whatever happens.
     *
     * @throws NoSuchStreamTableException when no such stream table is installed
     */
    public static Result run(Connection c, StreamTableKey key, int sample) throws SQLException {
        Instant at = Instant.now();
        long t0 = System.nanoTime();
        try {
            RefreshTransaction.Uncommitted applied = RefreshTransaction.applyUncommitted(c, key);
            StreamTableRecord rec = new CatalogStore(c).find(key.namespace(), key.name())
                    .orElseThrow(() -> new NoSuchStreamTableException(key));
            ResultComparison.Difference d = ResultComparison.compare(c, applied.installed().table(), rec.query(),
                    sample);
            if (applied.suspended()) {
                if (!d.equal()) {
                    return new Result(key, Verdict.NOT_VERIFIED, "not verifiable while suspended: its table differs"
                            + " from its query (" + d.summary() + "), and a suspended stream table is neither"
                            + " refreshed nor holds its sources' changes, so a drift cannot be told from what it has"
                            + " not received; resume it (spec.suspend: false) to verify it", d, at, millisSince(t0),
                            null);
                }
                return new Result(key, Verdict.CONSISTENT, "equals its query (" + rows(d) + ") as it is (suspended)",
                        d, at, millisSince(t0), null);
            }
            if (!d.equal()) {
                return new Result(key, Verdict.DIFFERS, d.summary() + how(applied), d, at, millisSince(t0), null);
            }
            return new Result(key, Verdict.CONSISTENT, "equals its query (" + rows(d) + ")" + how(applied), d, at,
                    millisSince(t0), null);
        } finally {
            try {
                c.rollback();
                c.setAutoCommit(true);
            } catch (SQLException lost) {
                // the connection is gone: so is the transaction, and the caller learns of it from its own failure
            }
        }
    }

    /** At which point the table was compared, in words. */
    private static String how(RefreshTransaction.Uncommitted applied) {
        if (!applied.pending()) {
            return "; no change was pending since its last refresh";
        }
        if ("DIFFERENTIAL".equals(applied.mode())) {
            return "; the changes since its last refresh were applied first, as the next refresh would"
                    + " (DIFFERENTIAL), and rolled back";
        }
        return "; compared after the recompute the next refresh would run (FULL"
                + (applied.reason() == null ? "" : ": " + applied.reason()) + "), rolled back";
    }

    private static String rows(ResultComparison.Difference d) {
        return d.rows() == 1 ? "1 row" : d.rows() + " rows";
    }

    static double millisSince(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
