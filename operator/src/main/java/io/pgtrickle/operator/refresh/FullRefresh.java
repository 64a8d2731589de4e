package io.pgtrickle.operator.refresh;

import io.pgtrickle.operator.catalog.InstalledRefresh;
import io.pgtrickle.operator.db.Identifiers;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The FULL refresh of a stream table inside the refresh transaction: the storage table emptied and
 * loaded again from the query, in the way that costs least for its size. The frontier and history are
 * written by the caller, in the same transaction.
 */
final class FullRefresh {
    /** A FULL refresh of a storage table with at least this many rows rebuilds its key after the load. */
    static final long REBUILD_KEY_MIN_ROWS = 10_000;

    /** A FULL refresh of a storage table with at most this many rows computes them into a temporary table first. */
    static final long VIA_TEMP_MAX_ROWS = 10_000;

    private FullRefresh() {
    }

    /** Rows loaded, and whether the rows deleted are worth a VACUUM after the commit. */
    record Outcome(long rows, boolean vacuum) {
    }

    /**
     * Recomputes the storage table: {@code DELETE} of every row and the load, shaped by how many rows the
     * table holds (PostgreSQL's estimate).
     *
     * <p>Not {@code TRUNCATE}, which is not MVCC-safe: a transaction whose snapshot was taken before the
     * refresh committed, and which reads the table after, sees it empty: a reader in REPEATABLE READ (a
     * report, {@code pg_dump}), and the refresh of a stream table reading this one, which then stored an
     * empty result ({@code ConcurrentRefreshersIT} caught it). With {@code DELETE}, every snapshot sees either the old
     * rows or the new ones, as with a DIFFERENTIAL refresh. The dead rows are vacuumed after the commit
     * (see {@link RefreshResult#vacuumStorage}).
     * <ul>
     *   <li>many ({@link #REBUILD_KEY_MIN_ROWS} or more): the primary key is dropped for the load and
     *       added back after, in the same transaction. Building the index once from sorted keys costs a
     *       fraction of maintaining it row by row (an index WAL record per row).
     *   <li>few (at most {@link #VIA_TEMP_MAX_ROWS}, typically an aggregate): the query runs as
     *       {@code CREATE TEMP TABLE … AS}, which PostgreSQL may run with parallel workers (an
     *       {@code INSERT … SELECT} never is, but {@code REFRESH MATERIALIZED VIEW} is), and its few
     *       rows are then copied in.
     * </ul>
     */
    static Outcome run(Connection c, InstalledRefresh r) throws SQLException {
        String table = r.table().sql();
        StorageSize size = storageSize(c, table);
        String pk = r.differential() && size.rows() >= REBUILD_KEY_MIN_ROWS ? size.primaryKey() : null;
        boolean viaTemp = size.rows() >= 0 && size.rows() <= VIA_TEMP_MAX_ROWS;
        try (Statement s = c.createStatement()) {
            long deleted = s.executeUpdate("DELETE FROM " + table);
            if (pk != null) {
                s.execute("ALTER TABLE " + table + " DROP CONSTRAINT " + Identifiers.quote(pk));
            }
            long rows;
            if (viaTemp) {
                // loadSql is "INSERT INTO <table>" and the storage SELECT on the following lines
                s.execute("CREATE TEMP TABLE \"__pgt_full\" ON COMMIT DROP AS\n"
                        + r.loadSql().substring(r.loadSql().indexOf('\n') + 1));
                rows = s.executeUpdate("INSERT INTO " + table + " SELECT * FROM \"__pgt_full\"");
            } else {
                rows = s.executeUpdate(r.loadSql());
            }
            if (pk != null) {
                s.execute("ALTER TABLE " + table + " ADD CONSTRAINT " + Identifiers.quote(pk)
                        + " PRIMARY KEY (\"__pgt_row_id\")");
            }
            return new Outcome(rows, deleted >= RefreshTransaction.VACUUM_AFTER_ROWS);
        }
    }

    /** PostgreSQL's estimate of the storage table's rows (-1 when it has none yet) and its primary key. */
    private record StorageSize(long rows, String primaryKey) {
    }

    private static StorageSize storageSize(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT CASE WHEN t.reltuples >= 0 OR pg_stat_get_live_tuples(t.oid) > 0
                            THEN (%s)::bigint ELSE -1 END,
                       (SELECT k.conname FROM pg_constraint k WHERE k.conrelid = t.oid AND k.contype = 'p')
                  FROM pg_class t WHERE t.oid = ?::regclass""".formatted(RowEstimate.of("t")))) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new StorageSize(rs.getLong(1), rs.getString(2));
            }
        }
    }
}
