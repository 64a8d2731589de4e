package io.pgtrickle.operator.verify;

import io.pgtrickle.operator.db.Database;
import io.pgtrickle.operator.lifecycle.NoSuchStreamTableException;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import io.pgtrickle.operator.refresh.RefreshResult;
import io.pgtrickle.operator.refresh.RefreshTransaction;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Locale;

/**
 * Verification of the stream tables of one target database, as {@code pgtrickle verify} and the schedulers of the
 * operator and of {@code pgtrickle run} use it: a {@link Verification} on a connection of its own, every failure
 * turned into a {@link Verification.Verdict#NOT_VERIFIED} result with the database's message (never the connection's
 * URL or credentials), and, when asked, the repair of a drift by a FULL refresh.
 */
public final class StreamTableVerifier {
    /** Differing rows shown each way by default ({@code pgtrickle verify --rows}). */
    public static final int DEFAULT_SAMPLE = 10;

    private final Database db;

    public StreamTableVerifier(Database db) {
        this.db = db;
    }

    /** Verifies {@code key}, showing up to {@code sample} differing rows each way. Never throws for the database. */
    public Verification.Result verify(StreamTableKey key, int sample) {
        Instant at = Instant.now();
        long t0 = System.nanoTime();
        try (Connection c = db.connect()) {
            return Verification.run(c, key, sample);
        } catch (NoSuchStreamTableException e) {
            return Verification.Result.notVerified(key, e.getMessage(), at, t0);
        } catch (SQLException | RuntimeException e) {
            return Verification.Result.notVerified(key, "could not verify: " + describe(e), at, t0);
        }
    }

    /**
     * As {@link #verify(StreamTableKey, int)}; when {@code repair} and the table differs from its query, then
     * recomputes it with a FULL refresh that writes only the rows that differ (recorded, with the drift as its
     * reason, like any refresh), and says so in {@link Verification.Result#repair}.
     */
    public Verification.Result verify(StreamTableKey key, int sample, boolean repair) {
        Verification.Result r = verify(key, sample);
        if (!repair || r.verdict() != Verification.Verdict.DIFFERS) {
            return r;
        }
        return r.withRepair(repair(key, "repairing a drift a verification found: " + r.difference().summary()));
    }

    /** A FULL refresh of {@code key} now, with {@code reason}; what it did, in words. */
    private String repair(StreamTableKey key, String reason) {
        try (Connection c = db.connect()) {
            RefreshResult done = RefreshTransaction.run(c, key, reason);
            RefreshTransaction.cleanup(c, done); // its dead rows, as after any refresh
            return String.format(Locale.ROOT, "repaired by a FULL refresh at %s (%d rows written in %.0f ms)",
                    done.startedAt(), done.rows(), done.durationMs());
        } catch (SQLException | RuntimeException e) {
            return "the repair (a FULL refresh) failed: " + describe(e);
        }
    }

    /** The database's own message and SQLSTATE, or the first line of anything else. */
    static String describe(Throwable e) {
        if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
            ServerErrorMessage m = p.getServerErrorMessage();
            return m.getMessage() + (m.getSQLState() == null ? "" : " (SQLSTATE " + m.getSQLState() + ")");
        }
        String msg = e.getMessage();
        return msg == null ? e.getClass().getSimpleName() : msg.lines().findFirst().orElse(msg);
    }
}
