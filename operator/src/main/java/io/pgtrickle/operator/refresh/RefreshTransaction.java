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
 * <p>A session-level advisory lock, taken before the transaction starts, makes refreshers of the
 * same stream table take turns; taking it before the snapshot matters, since a snapshot older than
 * the previous refresher's commit would see a stale frontier. The catalog row is also read
 * {@code FOR UPDATE}, which fails rather than double-applies if anything slipped past the lock.
 */
public final class RefreshTransaction {
    /** AUTO falls back to FULL when the batch exceeds this fraction of the sources' rows. */
    public static final double DEFAULT_MAX_CHANGE_RATIO = 0.15;

    private RefreshTransaction() {
    }

    public static RefreshResult run(Connection c, StreamTableKey key, double maxChangeRatio) throws SQLException {
        String lockKey = "pgtrickle:" + key;
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_lock(hashtextextended(?, 0))")) {
            lock.setString(1, lockKey);
            lock.execute();
        }
        InstalledRefresh installed = null;
        try {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            Instant start = Instant.now();
            long t0 = System.nanoTime();
            CatalogStore store = new CatalogStore(c);
            installed = store.lockForRefresh(key.namespace(), key.name())
                    .orElseThrow(() -> new NoSuchStreamTableException(key));
            String fullReason = installed.differential() ? fullReason(c, key, installed, maxChangeRatio) : null;
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
                rows = batchIsEmpty(c, key, installed) ? 0 : execute(c, installed.refreshSql());
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            store.recordRefresh(key.namespace(), key.name(), start, ms, rows, mode);
            c.commit();
            return new RefreshResult(key, start, ms, rows, mode, fullReason);
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
            try (PreparedStatement unlock = c.prepareStatement("SELECT pg_advisory_unlock(hashtextextended(?, 0))")) {
                unlock.setString(1, lockKey);
                unlock.execute();
            }
            if (installed != null && installed.differential()) {
                for (long oid : installed.sourceOids()) {
                    try {
                        ChangeCapture.cleanup(c, oid);
                    } catch (SQLException cleanupFailed) {
                        // Only housekeeping: the rows are consumed either way and retried next time.
                    }
                }
            }
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

    private static boolean batchIsEmpty(Connection c, StreamTableKey key, InstalledRefresh r) throws SQLException {
        String prev = previousFrontier(key);
        StringBuilder sql = new StringBuilder("SELECT NOT (false");
        for (long oid : r.sourceOids()) {
            sql.append(" OR EXISTS (").append(batch(oid, prev)).append(")");
        }
        return bool(c, sql.append(")").toString());
    }

    /** Why this refresh must recompute in full, or null when DIFFERENTIAL applies. */
    private static String fullReason(Connection c, StreamTableKey key, InstalledRefresh r, double maxRatio)
            throws SQLException {
        if (r.noFrontier()) {
            return "no previous refresh to continue from";
        }
        String prev = previousFrontier(key);
        String oids = r.sourceOids().stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("0");
        if (bool(c, "SELECT EXISTS (SELECT 1 FROM pgtrickle_changes.truncates WHERE source_oid IN (" + oids
                + ") AND NOT pg_visible_in_snapshot(\"__pgt_xid\", " + prev + ") AND \"__pgt_xid\" >= pg_snapshot_xmin("
                + prev + "))")) {
            return "a source table was truncated";
        }
        if (!"AUTO".equals(r.refreshMode())) {
            return null;
        }
        StringBuilder count = new StringBuilder("SELECT 0");
        for (long oid : r.sourceOids()) {
            count.append(" + (SELECT count(*) FROM (").append(batch(oid, prev)).append(") b)");
        }
        long changes = number(c, count.toString());
        long rows = number(c, "SELECT coalesce(sum(greatest(reltuples, 0)), 0)::bigint FROM pg_class WHERE oid IN ("
                + oids + ")");
        if (rows > 0 && changes > maxRatio * rows) {
            return String.format("AUTO: %d changed rows are %.0f%% of the sources' %d rows, above %.0f%%", changes,
                    100.0 * changes / rows, rows, 100 * maxRatio);
        }
        return null;
    }

    private static long execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            return s.executeUpdate(sql);
        }
    }

    private static boolean bool(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static long number(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

}
