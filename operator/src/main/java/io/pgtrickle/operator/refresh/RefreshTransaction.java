package io.pgtrickle.operator.refresh;

import io.pgtrickle.operator.catalog.CatalogStore;
import io.pgtrickle.operator.catalog.InstalledRefresh;
import io.pgtrickle.operator.cdc.ChangeCapture;
import io.pgtrickle.operator.db.Identifiers;
import io.pgtrickle.operator.lifecycle.NoSuchStreamTableException;
import io.pgtrickle.operator.lifecycle.StreamTableKey;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;

/**
 * One refresh of one stream table: a single REPEATABLE READ transaction whose snapshot is the new
 * frontier. The batch is every change-buffer row visible now and not visible in the previous
 * frontier; the MERGE (or the FULL recompute) and the new frontier commit together, so a crash at
 * any point applies nothing twice and loses nothing. See {@code docs/refresh.md} for the argument.
 *
 * <p>An advisory lock per stream table makes refreshers take turns, and the catalog row is read
 * {@code FOR UPDATE}, which fails (serialization error) rather than double-applies if a snapshot
 * older than the previous refresher's commit ever slipped past the lock; see {@link #begin}.
 */
public final class RefreshTransaction {
    /**
     * Batches smaller than this teach nothing about per-change cost: the fixed cost of a refresh
     * dominates them.
     */
    static final int MIN_LEARNING_BATCH = 500;

    private RefreshTransaction() {
    }

    public static RefreshResult run(Connection c, StreamTableKey key) throws SQLException {
        InstalledRefresh installed = null;
        try {
            Instant start = Instant.now();
            long t0 = System.nanoTime();
            c.setAutoCommit(false);
            CatalogStore store = new CatalogStore(c);
            installed = begin(c, key, store);
            BatchStats batch = installed.differential() ? batchStats(c, key, installed) : null;
            String fullReason = batch == null ? null : fullReason(installed, batch);
            long rows;
            String mode;
            if (!installed.differential() || fullReason != null) {
                mode = "FULL";
                try (Statement s = c.createStatement()) {
                    s.execute("TRUNCATE " + installed.table().sql());
                    rows = s.executeUpdate(installed.loadSql());
                }
            } else {
                mode = "DIFFERENTIAL";
                rows = batch.empty() ? 0 : execute(c, installed.refreshSql());
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            store.recordRefresh(key.namespace(), key.name(), start, ms, rows, mode,
                    batch == null || !"AUTO".equals(installed.refreshMode()) ? null : batch.changes(), fullReason);
            c.commit();
            return new RefreshResult(key, start, ms, rows, mode, fullReason,
                    batch != null && !batch.empty() ? installed.sourceOids() : List.of());
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /**
     * Deletes the buffer rows of {@code sourceOids} that every consumer has consumed. Housekeeping
     * after the commit, off the path of the refresh result: failures only postpone it.
     */
    public static void cleanup(Connection c, List<Long> sourceOids) {
        for (long oid : sourceOids) {
            try {
                ChangeCapture.cleanup(c, oid);
            } catch (SQLException postponed) {
                // retried after the next refresh that consumes this source
            }
        }
    }

    /**
     * Starts the REPEATABLE READ transaction holding this stream table's advisory lock and its
     * catalog row. The fast path is one round trip: isolation, a non-blocking transaction lock and
     * the row. If another refresher holds the lock, wait for it with a session lock taken *before*
     * a fresh transaction, so that our snapshot is taken after its commit.
     */
    private static InstalledRefresh begin(Connection c, StreamTableKey key, CatalogStore store) throws SQLException {
        String lockKey = Identifiers.literal("pgtrickle:" + key);
        try (Statement s = c.createStatement()) {
            s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;"
                    + " SELECT pg_try_advisory_xact_lock(hashtextextended(" + lockKey + ", 0))");
            while (s.getResultSet() == null) {
                s.getMoreResults();
            }
            try (ResultSet rs = s.getResultSet()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    return store.lockForRefresh(key.namespace(), key.name())
                            .orElseThrow(() -> new NoSuchStreamTableException(key));
                }
            }
            c.rollback();
            c.setAutoCommit(true);
            s.execute("SELECT pg_advisory_lock(hashtextextended(" + lockKey + ", 0))");
            try {
                c.setAutoCommit(false);
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                s.execute("SELECT pg_advisory_xact_lock(hashtextextended(" + lockKey + ", 0))");
                return store.lockForRefresh(key.namespace(), key.name())
                        .orElseThrow(() -> new NoSuchStreamTableException(key));
            } finally {
                // The transaction lock now fences us; the session lock only ordered the snapshot.
                s.execute("SELECT pg_advisory_unlock(hashtextextended(" + lockKey + ", 0))");
            }
        }
    }

    /**
     * What the batch holds, in one query: truncations, whether it is empty, and for AUTO its size,
     * the sources' size and what past refreshes cost (median ms per change row of recent
     * DIFFERENTIAL refreshes, median ms of recent FULL ones; NaN when unknown).
     */
    private record BatchStats(boolean truncated, long changes, long sourceRows, double diffMsPerChange,
                              double fullMs) {
        boolean empty() {
            return !truncated && changes == 0;
        }
    }

    /** The previous frontier as SQL, read inside the refresh transaction. */
    public static String previousFrontier(StreamTableKey key) {
        return "(SELECT frontier FROM pgtrickle.stream_tables WHERE namespace = " + Identifiers.literal(key.namespace())
                + " AND name = " + Identifiers.literal(key.name()) + ")";
    }

    private static String batch(long oid, String prev) {
        return "SELECT 1 FROM " + ChangeCapture.bufferTable(oid) + " WHERE NOT pg_visible_in_snapshot(\"__pgt_xid\", "
                + prev + ") AND \"__pgt_xid\" >= pg_snapshot_xmin(" + prev + ")";
    }

    private static BatchStats batchStats(Connection c, StreamTableKey key, InstalledRefresh r) throws SQLException {
        if (r.noFrontier()) {
            return new BatchStats(true, 0, 0, Double.NaN, Double.NaN);
        }
        String prev = previousFrontier(key);
        String oids = r.sourceOids().stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("0");
        boolean auto = "AUTO".equals(r.refreshMode());
        StringBuilder changes = new StringBuilder("0");
        for (long oid : r.sourceOids()) {
            // AUTO needs the size; otherwise existence is enough and stops at the first row.
            changes.append(auto ? " + (SELECT count(*) FROM (" + batch(oid, prev) + ") b)"
                    : " + (SELECT count(*) FROM (" + batch(oid, prev) + " LIMIT 1) b)");
        }
        String history = "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM (SELECT %s AS x"
                + " FROM pgtrickle.refresh_history WHERE namespace = " + Identifiers.literal(key.namespace())
                + " AND name = " + Identifiers.literal(key.name()) + " AND ok AND %s ORDER BY id DESC LIMIT %d) h";
        String sql = "SELECT EXISTS (SELECT 1 FROM pgtrickle_changes.truncates WHERE source_oid IN (" + oids
                + ") AND NOT pg_visible_in_snapshot(\"__pgt_xid\", " + prev + ") AND \"__pgt_xid\" >= pg_snapshot_xmin("
                + prev + ")), " + changes + ", "
                + (auto ? "(SELECT coalesce(sum(greatest(c.reltuples, s.n_live_tup, 0)), 0)::bigint FROM pg_class c"
                + " LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid IN (" + oids + ")), (" + history.formatted("duration_ms / changes", "mode = 'DIFFERENTIAL' AND changes >= " + MIN_LEARNING_BATCH, 20)
                + "), (" + history.formatted("duration_ms", "mode = 'FULL'", 5) + ")" : "0, NULL, NULL");
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            double perChange = rs.getDouble(4);
            perChange = rs.wasNull() ? Double.NaN : perChange;
            double full = rs.getDouble(5);
            full = rs.wasNull() ? Double.NaN : full;
            return new BatchStats(rs.getBoolean(1), rs.getLong(2), rs.getLong(3), perChange, full);
        }
    }

    /** Why this refresh must recompute in full, or null when DIFFERENTIAL applies. */
    private static String fullReason(InstalledRefresh r, BatchStats b) {
        if (r.noFrontier()) {
            return "no previous refresh to continue from";
        }
        if (b.truncated()) {
            return "a source table was truncated";
        }
        if (!"AUTO".equals(r.refreshMode()) || b.changes() == 0) {
            return null;
        }
        if (r.learnFromHistory() && !Double.isNaN(b.diffMsPerChange()) && !Double.isNaN(b.fullMs())) {
            double predicted = b.diffMsPerChange() * b.changes();
            // Learnt costs decide in both directions; the static ratio is only the fallback.
            return predicted > b.fullMs() ? String.format("AUTO (learnt): %d changes would take about %.0f ms"
                    + " DIFFERENTIAL, a FULL refresh about %.0f ms", b.changes(), predicted, b.fullMs()) : null;
        }
        if (b.sourceRows() > 0 && b.changes() > r.maxChangeRatio() * b.sourceRows()) {
            return String.format("AUTO: %d changed rows are %.0f%% of the sources' %d rows, above %.0f%%", b.changes(),
                    100.0 * b.changes() / b.sourceRows(), b.sourceRows(), 100 * r.maxChangeRatio());
        }
        return null;
    }

    private static long execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
        }
    }


}
