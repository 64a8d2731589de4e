package io.pgtrickle.operator.refresh;

import io.pgtrickle.operator.catalog.CatalogStore;
import io.pgtrickle.operator.catalog.InstalledRefresh;
import io.pgtrickle.operator.cdc.ChangeCapture;
import io.pgtrickle.operator.db.Identifiers;
import io.pgtrickle.operator.lifecycle.NoSuchStreamTableException;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import org.postgresql.PGStatement;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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

    /**
     * Batches up to this many change rows run the MERGE as a server-side prepared statement (pgjdbc keeps
     * one per connection and SQL text): parsing and planning a statement of this size costs about as
     * much as applying a 1 % batch. The statement has no parameters, so its plan is the one a fresh
     * planning would make from the same statistics; PostgreSQL replans it when they or the tables
     * change. A larger batch is planned afresh: planning is then negligible, and the plan sees the
     * current size of the change buffers.
     */
    static final int PREPARED_MAX_CHANGES = 20_000;

    /** A FULL refresh of a storage table with at least this many rows rebuilds its key after the load. */
    static final long REBUILD_KEY_MIN_ROWS = 10_000;

    /** A FULL refresh of a storage table with at most this many rows computes them into a temporary table first. */
    static final long VIA_TEMP_MAX_ROWS = 10_000;

    /** AUTO learns from history once it has this many DIFFERENTIAL refreshes of at least {@link #MIN_LEARNING_BATCH}. */
    static final int MIN_DIFFERENTIAL_SAMPLES = 3;

    /** After this many FULL refreshes in a row, AUTO measures DIFFERENTIAL again on a batch within the ratio. */
    static final int RETRY_AFTER_FULL = 10;

    /** Cleanup that deletes at least this many buffer rows vacuums the buffer right away. */
    static final int VACUUM_AFTER_ROWS = 10_000;

    /**
     * AUTO with learnt costs tries DIFFERENTIAL once on a batch larger than any measured (up to this
     * multiple of the RefreshPolicy's ratio), rather than extrapolating small batches' costs. Beyond
     * this multiple AUTO always recomputes in full, and stops counting the batch there.
     */
    static final double EXPLORE_RATIO = 2.0;

    /**
     * Planner settings for the refresh transaction. The consolidated change feeding a MERGE is
     * estimated at 200 rows whatever its size (PostgreSQL's default distinct count of a derived
     * relation), and at the default {@code random_page_cost} of 4 a probe of the storage key per change
     * row then looks dearer than reading the whole storage table: a 1 % batch of a 50,000-row stream
     * table hash-joined the whole table (MERGE 16 ms instead of 7.5 ms). A refresh reads pages that were
     * just written (the change buffers, the storage table), so random reads cost about what sequential
     * ones do; a lower setting of the database is kept.
     */
    static final String PLANNER_SETTINGS = "SELECT set_config('random_page_cost',"
            + " least(current_setting('random_page_cost')::float8, 1.1)::text, true)";

    private RefreshTransaction() {
    }

    public static RefreshResult run(Connection c, StreamTableKey key) throws SQLException {
        InstalledRefresh installed = null;
        try {
            Instant start = Instant.now();
            long t0 = System.nanoTime();
            c.setAutoCommit(false);
            CatalogStore store = new CatalogStore(c);
            Begun begun = begin(c, key, store);
            installed = begun.installed();
            BatchStats batch = !installed.differential() ? null
                    : begun.stats() != null ? begun.stats() : batchStats(c, key, installed);
            String fullReason = batch == null ? null : fullReason(installed, batch);
            Long changes = batch == null || !"AUTO".equals(installed.refreshMode()) ? null : batch.changes();
            long rows;
            String mode;
            if (!installed.differential() || fullReason != null) {
                mode = "FULL";
                rows = fullRefresh(c, installed);
            } else {
                mode = "DIFFERENTIAL";
                if (!batch.empty()) {
                    // The MERGE, the history row, the new frontier and COMMIT: one round trip.
                    rows = store.applyRecordAndCommit(installed.refreshSql(), installed.table().sql(),
                            batch.changes() <= PREPARED_MAX_CHANGES, key.namespace(), key.name(), start,
                            (System.nanoTime() - t0) / 1e6, mode, changes, null);
                    return new RefreshResult(key, start, (System.nanoTime() - t0) / 1e6, rows, mode, null,
                            installed.sourceOids());
                }
                rows = 0;
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            // The history row, the new frontier and COMMIT in one round trip; commit() then has nothing left.
            store.recordRefresh(key.namespace(), key.name(), start, ms, rows, mode, changes, fullReason, true);
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
     * Recomputes the storage table: {@code TRUNCATE} and the load, shaped by how many rows the table
     * holds (PostgreSQL's estimate):
     * <ul>
     *   <li>many ({@link #REBUILD_KEY_MIN_ROWS} or more): the primary key is dropped for the load and
     *       added back after, in the same transaction. Building the index once from sorted keys costs a
     *       fraction of maintaining it row by row (an index WAL record per row). A foreign key
     *       referencing the storage table would already stop the TRUNCATE.
     *   <li>few (at most {@link #VIA_TEMP_MAX_ROWS}, typically an aggregate): the query runs as
     *       {@code CREATE TEMP TABLE … AS}, which PostgreSQL may run with parallel workers (an
     *       {@code INSERT … SELECT} never is, but {@code REFRESH MATERIALIZED VIEW} is), and its few
     *       rows are then copied in.
     * </ul>
     */
    private static long fullRefresh(Connection c, InstalledRefresh r) throws SQLException {
        String table = r.table().sql();
        StorageSize size = storageSize(c, table);
        String pk = r.differential() && size.rows() >= REBUILD_KEY_MIN_ROWS ? size.primaryKey() : null;
        boolean viaTemp = size.rows() >= 0 && size.rows() <= VIA_TEMP_MAX_ROWS;
        try (Statement s = c.createStatement()) {
            s.execute("TRUNCATE " + table);
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
            return rows;
        }
    }

    /** PostgreSQL's estimate of the storage table's rows (-1 when it has none yet) and its primary key. */
    private record StorageSize(long rows, String primaryKey) {
    }

    private static StorageSize storageSize(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT CASE WHEN t.reltuples >= 0 OR pg_stat_get_live_tuples(t.oid) > 0
                            THEN greatest(t.reltuples, pg_stat_get_live_tuples(t.oid))::bigint ELSE -1 END,
                       (SELECT k.conname FROM pg_constraint k WHERE k.conrelid = t.oid AND k.contype = 'p')
                  FROM pg_class t WHERE t.oid = ?::regclass""")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new StorageSize(rs.getLong(1), rs.getString(2));
            }
        }
    }

    /**
     * Deletes the buffer rows of {@code sourceOids} that every consumer has consumed. Housekeeping
     * after the commit, off the path of the refresh result: failures only postpone it.
     */
    public static void cleanup(Connection c, List<Long> sourceOids) {
        for (long oid : sourceOids) {
            try {
                if (ChangeCapture.cleanup(c, oid) >= VACUUM_AFTER_ROWS && c.getAutoCommit()) {
                    // A large batch leaves the buffer mostly dead rows until autovacuum comes by; every
                    // refresh until then would scan them, and plans (cached ones too) would be made for
                    // a large buffer. Reclaim them now, off the refresh path.
                    try (Statement s = c.createStatement()) {
                        s.execute("VACUUM " + ChangeCapture.bufferTable(oid));
                    }
                }
            } catch (SQLException postponed) {
                // retried after the next refresh that consumes this source
            }
        }
    }

    /** The refresh row, and the batch stats when the pipelined query applied to it. */
    private record Begun(InstalledRefresh installed, BatchStats stats) {
    }

    /**
     * The batch-stats query of each stream table, as last built: sent in the first round trip of the
     * next refresh (one round trip fewer), and used if the row still has the same sources and policy.
     */
    private static final Map<StreamTableKey, StatsQuery> STATS_QUERIES = new ConcurrentHashMap<>();

    private record StatsQuery(List<Long> sourceOids, String refreshMode, double maxChangeRatio, String sql) {
        boolean fits(InstalledRefresh r) {
            return r.differential() && !r.noFrontier() && sourceOids.equals(r.sourceOids())
                    && refreshMode.equals(r.refreshMode()) && maxChangeRatio == r.maxChangeRatio();
        }
    }

    /**
     * Starts the REPEATABLE READ transaction holding this stream table's advisory lock and its
     * catalog row. The fast path is one round trip: isolation, a non-blocking transaction lock, the
     * row (read only if the lock was granted) and, when the stream table was refreshed before by this
     * process, the batch stats (same snapshot, so the same answer as a query after the row). If another
     * refresher (or an apply) holds the lock, or committed after our snapshot was taken, wait for it
     * with a session lock taken *before* a fresh transaction, so that our snapshot is taken after its
     * commit.
     */
    private static Begun begin(Connection c, StreamTableKey key, CatalogStore store) throws SQLException {
        StatsQuery stats = STATS_QUERIES.get(key);
        try (Statement s = c.createStatement()) {
            try (PreparedStatement fast = c.prepareStatement("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;\n"
                    + PLANNER_SETTINGS + ";\n" + CatalogStore.tryLockForRefreshSql(key.namespace(), key.name(),
                    StreamTableLock.tryTransactionLockSql(key))
                    + (stats == null ? "" : ";\n" + stats.sql()))) {
                serverPrepared(fast);
                fast.execute();
                while (fast.getResultSet() == null) {
                    fast.getMoreResults();
                }
                fast.getMoreResults(); // past the planner settings' row
                InstalledRefresh row = null;
                try (ResultSet rs = fast.getResultSet()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        row = CatalogStore.lockedRefresh(rs).orElseThrow(() -> new NoSuchStreamTableException(key));
                    }
                }
                if (row != null) {
                    BatchStats prefetched = null;
                    if (stats != null && fast.getMoreResults()) {
                        try (ResultSet rs = fast.getResultSet()) {
                            if (stats.fits(row)) {
                                prefetched = readStats(rs, row);
                            }
                        }
                    }
                    return new Begun(row, prefetched);
                }
            } catch (SQLException e) {
                // 40001: another refresher or an apply committed between our snapshot and our lock (the
                // row lock refuses). Otherwise the pipelined stats query may be stale (a source dropped by
                // a re-apply): forget it. Nothing was done yet; take the ordered path below.
                if (stats == null && !"40001".equals(e.getSQLState())) {
                    throw e;
                }
                STATS_QUERIES.remove(key);
            }
            c.rollback();
            c.setAutoCommit(true);
            StreamTableLock.lockSession(c, key);
            try {
                c.setAutoCommit(false);
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                s.execute(PLANNER_SETTINGS);
                StreamTableLock.lockTransaction(c, key);
                return new Begun(store.lockForRefresh(key.namespace(), key.name())
                        .orElseThrow(() -> new NoSuchStreamTableException(key)), null);
            } finally {
                // The transaction lock now fences us; the session lock only ordered the snapshot.
                StreamTableLock.unlockSession(c, key);
            }
        }
    }

    /**
     * What the batch holds, in one query: truncations, whether it is empty, its size, the sources' size
     * and what past refreshes cost (for AUTO). AUTO counts the batch up to {@code countedUpTo} (where it
     * recomputes in full whatever it learnt); otherwise the count stops past {@link #PREPARED_MAX_CHANGES}.
     */
    private record BatchStats(boolean truncated, long changes, long sourceRows, RefreshCosts costs, long countedUpTo) {
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
            return new BatchStats(true, 0, 0, RefreshCosts.NONE, Long.MAX_VALUE);
        }
        String prev = previousFrontier(key);
        String oids = r.sourceOids().stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("0");
        boolean auto = "AUTO".equals(r.refreshMode());
        // AUTO needs the size, up to the point where it recomputes in full anyway (counting a batch of
        // half the table costs a good part of a FULL refresh); otherwise it is enough to know whether
        // the batch is small.
        String limit = auto ? "(SELECT counted + 1 FROM s)" : Integer.toString(PREPARED_MAX_CHANGES + 1);
        StringBuilder changes = new StringBuilder("0");
        for (long oid : r.sourceOids()) {
            changes.append("\n  + (SELECT count(*) FROM (" + batch(oid, prev) + " LIMIT " + limit + ") b)");
        }
        String history = "SELECT %s FROM pgtrickle.refresh_history WHERE namespace = "
                + Identifiers.literal(key.namespace()) + " AND name = " + Identifiers.literal(key.name())
                + " AND ok AND %s ORDER BY id DESC LIMIT %d";
        String sql = (auto ? "WITH s AS (SELECT n, nullif(ceil(n * " + EXPLORE_RATIO * r.maxChangeRatio()
                + "), 0)::bigint AS counted FROM (SELECT coalesce(sum(greatest(c.reltuples, pg_stat_get_live_tuples(c.oid),"
                + " 0)), 0)::bigint AS n FROM pg_class c WHERE c.oid IN (" + oids + ")) t),\nd AS ("
                + history.formatted("id, changes, duration_ms", "mode = 'DIFFERENTIAL' AND changes >= "
                + MIN_LEARNING_BATCH, 20) + ")\n" : "")
                + "SELECT EXISTS (SELECT 1 FROM pgtrickle_changes.truncates WHERE source_oid IN (" + oids
                + ") AND NOT pg_visible_in_snapshot(\"__pgt_xid\", " + prev + ") AND \"__pgt_xid\" >= pg_snapshot_xmin("
                + prev + ")),\n" + changes + ",\n"
                + (auto ? "(SELECT n FROM s), (SELECT array_agg(changes) FROM d), (SELECT array_agg(duration_ms) FROM d),"
                + "\n(SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM ("
                + history.formatted("duration_ms AS x", "mode = 'FULL'", 5) + ") h), (SELECT counted FROM s),"
                + "\n(SELECT count(*) FROM (" + history.formatted("1", "mode = 'FULL' AND id > coalesce((SELECT max(id)"
                + " FROM d), 0)", RETRY_AFTER_FULL) + ") f)"
                : "0, NULL, NULL, NULL, NULL, NULL");
        STATS_QUERIES.put(key, new StatsQuery(r.sourceOids(), r.refreshMode(), r.maxChangeRatio(), sql));
        // The text is the same at every refresh of this stream table: prepared once per connection.
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            serverPrepared(ps);
            try (ResultSet rs = ps.executeQuery()) {
                return readStats(rs, r);
            }
        }
    }

    private static BatchStats readStats(ResultSet rs, InstalledRefresh r) throws SQLException {
        rs.next();
        RefreshCosts costs = RefreshCosts.NONE;
        long counted = Long.MAX_VALUE;
        if ("AUTO".equals(r.refreshMode())) {
            double full = rs.getDouble(6);
            full = rs.wasNull() ? Double.NaN : full;
            costs = new RefreshCosts(longs(rs.getArray(4)), doubles(rs.getArray(5)), full, rs.getLong(8));
            counted = rs.getLong(7);
            counted = rs.wasNull() ? Long.MAX_VALUE : counted;
        }
        return new BatchStats(rs.getBoolean(1), rs.getLong(2), rs.getLong(3), costs, counted);
    }

    private static long[] longs(Array a) throws SQLException {
        return a == null ? new long[0] : Arrays.stream((Object[]) a.getArray())
                .mapToLong(x -> ((Number) x).longValue()).toArray();
    }

    private static double[] doubles(Array a) throws SQLException {
        return a == null ? new double[0] : Arrays.stream((Object[]) a.getArray())
                .mapToDouble(x -> ((Number) x).doubleValue()).toArray();
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
        if (b.changes() > b.countedUpTo()) {
            // counted only up to here: see batchStats
            return String.format("AUTO: more than %d changed rows, %.0f%% of the sources' %d rows (%.0f times the"
                    + " %.0f%% ratio)", b.countedUpTo(), 100.0 * b.countedUpTo() / b.sourceRows(), b.sourceRows(),
                    EXPLORE_RATIO, 100 * r.maxChangeRatio());
        }
        RefreshCosts costs = b.costs();
        if (r.learnFromHistory() && costs.knowsBoth()) {
            // Learnt costs decide in both directions; the static ratio is only the fallback.
            double predicted = costs.predictDifferential(b.changes());
            if (predicted <= costs.fullMs()) {
                return null;
            }
            // Larger than every batch measured so far: the per-change cost of small batches carries their
            // fixed cost and overstates a large one. Measure once, within reach of the ratio.
            if (!costs.measuredUpTo(b.changes()) && b.changes() <= EXPLORE_RATIO * r.maxChangeRatio() * b.sourceRows()) {
                return null;
            }
            // Only FULL for a while, for batches the ratio would refresh DIFFERENTIAL: measure again, so
            // that one slow DIFFERENTIAL refresh (a cold cache, a concurrent vacuum) is not final.
            if (costs.fullsSinceDifferential() >= RETRY_AFTER_FULL && b.changes() <= r.maxChangeRatio() * b.sourceRows()) {
                return null;
            }
            return String.format("AUTO (learnt): %d changes would take about %.0f ms DIFFERENTIAL, a FULL refresh"
                    + " about %.0f ms", b.changes(), predicted, costs.fullMs());
        }
        if (b.sourceRows() > 0 && b.changes() > r.maxChangeRatio() * b.sourceRows()) {
            return String.format("AUTO: %d changed rows are %.0f%% of the sources' %d rows, above %.0f%%", b.changes(),
                    100.0 * b.changes() / b.sourceRows(), b.sourceRows(), 100 * r.maxChangeRatio());
        }
        return null;
    }

    /** Asks pgjdbc to use a named server-side statement from the first execution on. */
    private static void serverPrepared(PreparedStatement ps) throws SQLException {
        if (ps.isWrapperFor(PGStatement.class)) {
            ps.unwrap(PGStatement.class).setPrepareThreshold(1);
        }
    }
}
