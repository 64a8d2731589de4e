package io.pgtrickle.operator.refresh;

import io.pgtrickle.operator.catalog.CatalogStore;
import io.pgtrickle.operator.catalog.InstalledRefresh;
import io.pgtrickle.operator.catalog.StorageGuard;
import io.pgtrickle.operator.cdc.ChangeCapture;
import io.pgtrickle.operator.db.Identifiers;
import io.pgtrickle.operator.lifecycle.NoSuchStreamTableException;
import io.pgtrickle.operator.lifecycle.StreamTableKey;
import org.postgresql.PGStatement;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
     * Batches up to this many change rows run the MERGE as a server-side prepared statement (pgjdbc keeps
     * one per connection and SQL text): parsing and planning a statement of this size costs about as
     * much as applying a 1 % batch. The statement has no parameters, so its plan is the one a fresh
     * planning would make from the same statistics; PostgreSQL replans it when they or the tables
     * change. A larger batch is planned afresh: planning is then negligible, and the plan sees the
     * current size of the change buffers.
     */
    static final int PREPARED_MAX_CHANGES = 20_000;

    /** Cleanup that deletes at least this many buffer rows, or a FULL refresh storage rows, vacuums right away. */
    static final int VACUUM_AFTER_ROWS = 10_000;

    /**
     * Settings of the refresh transaction, one statement. It may write storage tables
     * ({@link StorageGuard}). Its planner: the consolidated change feeding a MERGE is
     * estimated at 200 rows whatever its size (PostgreSQL's default distinct count of a derived
     * relation), and at the default {@code random_page_cost} of 4 a probe of the storage key per change
     * row then looks dearer than reading the whole storage table: a 1 % batch of a 50,000-row stream
     * table hash-joined the whole table (MERGE 16 ms instead of 7.5 ms). A refresh reads pages that were
     * just written (the change buffers, the storage table), so random reads cost about what sequential
     * ones do; a lower setting of the database is kept.
     */
    static final String TRANSACTION_SETTINGS = StorageGuard.ALLOW + ", set_config('random_page_cost',"
            + " least(current_setting('random_page_cost')::float8, 1.1)::text, true)";

    /** The reason recorded by a FULL refresh that found no change to recompute. */
    public static final String UNCHANGED = "no source changed since the last refresh: nothing recomputed";

    private RefreshTransaction() {
    }

    public static RefreshResult run(Connection c, StreamTableKey key) throws SQLException {
        return run(c, key, null);
    }

    /**
     * As {@link #run(Connection, StreamTableKey)}; a non-null {@code forcedFullReason} recomputes in FULL whatever
     * the batch holds, writing only the rows that differ, and records that reason (a repair after a verification
     * found the table differing from its query).
     */
    public static RefreshResult run(Connection c, StreamTableKey key, String forcedFullReason) throws SQLException {
        try {
            Instant start = Instant.now();
            long t0 = System.nanoTime();
            c.setAutoCommit(false);
            CatalogStore store = new CatalogStore(c);
            Prepared p = prepare(c, key, store, forcedFullReason, false);
            if (p.suspended()) {
                throw new StreamTableSuspendedException("stream table " + key.namespace() + "/" + key.name()
                        + " is suspended: it is not refreshed and does not capture changes",
                        "set spec.suspend to false and apply (the first refresh after that recomputes in full)");
            }
            InstalledRefresh installed = p.installed();
            if (p.mergePending()) {
                // The MERGE, the history row, the new frontier and COMMIT: one round trip.
                long rows = store.applyRecordAndCommit(installed.refreshSql(), installed.table().sql(),
                        p.batch().changes() <= PREPARED_MAX_CHANGES, key.namespace(), key.name(), start,
                        (System.nanoTime() - t0) / 1e6, p.mode(), p.changes(), null);
                return new RefreshResult(key, start, (System.nanoTime() - t0) / 1e6, rows, p.mode(), null,
                        installed.sourceOids(), null);
            }
            double ms = (System.nanoTime() - t0) / 1e6;
            // The history row, the new frontier and COMMIT in one round trip; commit() then has nothing left.
            store.recordRefresh(key.namespace(), key.name(), start, ms, p.rows(), p.mode(), p.changes(),
                    p.fullReason(), true);
            c.commit();
            return new RefreshResult(key, start, ms, p.rows(), p.mode(), p.fullReason(),
                    p.batch() != null && !p.batch().empty() ? installed.sourceOids() : List.of(), p.vacuum());
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /**
     * What a refresh of {@code key} would apply now, applied in a transaction this method begins on {@code c} and
     * leaves open, neither recorded nor committed: the caller must roll it back. For a verification, which then
     * compares the storage table with the query in the same snapshot, the one the refresh would take as its
     * frontier. It takes the locks a refresh takes (so it waits for, and holds off, refreshes and applies of this
     * stream table; writers of the sources are not blocked), except that a FULL recompute of keyed storage writes
     * only the rows that differ instead of rebuilding the key, which would lock readers out of the table until
     * the rollback. A suspended stream table is left as it is ({@link Uncommitted#suspended}).
     */
    public static Uncommitted applyUncommitted(Connection c, StreamTableKey key) throws SQLException {
        c.setAutoCommit(false);
        Prepared p = prepare(c, key, new CatalogStore(c), null, true);
        long rows = p.rows();
        if (p.mergePending()) {
            try (Statement s = c.createStatement()) {
                s.setEscapeProcessing(false); // the user's expressions, as written
                s.execute(p.installed().refreshSql());
                rows = Math.max(0, s.getUpdateCount());
            }
        }
        boolean pending = !p.suspended() && (p.batch() == null || !p.batch().empty());
        return new Uncommitted(p.installed(), p.suspended(), pending, p.mode(), p.fullReason(), rows);
    }

    /**
     * What {@link #applyUncommitted} did, in the transaction it left open.
     *
     * @param pending whether there was anything to apply: changes since the frontier, or a recompute a refresh
     *                of this stream table always runs (its result may depend on more than its tables)
     * @param mode    how the refresh would run: FULL or DIFFERENTIAL; null when suspended
     * @param reason  why it recomputes in FULL, as a refresh would record it; null otherwise
     * @param rows    storage rows it wrote
     */
    public record Uncommitted(InstalledRefresh installed, boolean suspended, boolean pending, String mode,
                              String reason, long rows) {
    }

    /**
     * A refresh decided, and everything before its record and commit done except a DIFFERENTIAL MERGE
     * ({@code mergePending}), which a refresh sends together with its record.
     */
    private record Prepared(InstalledRefresh installed, boolean suspended, BatchStats batch, String mode,
                            String fullReason, Long changes, long rows, String vacuum, boolean mergePending) {
    }

    /**
     * Begins the refresh transaction and decides the refresh: the batch, the mode and, for FULL, the recompute
     * itself. {@code rolledBack}: the transaction will be rolled back (a verification), so a FULL recompute never
     * rebuilds the storage table's key.
     */
    private static Prepared prepare(Connection c, StreamTableKey key, CatalogStore store, String forcedFullReason,
                                    boolean rolledBack) throws SQLException {
        Begun begun = begin(c, key, store);
        InstalledRefresh installed = begun.installed();
        if (installed.suspended()) {
            return new Prepared(installed, true, null, null, null, null, 0, null, false);
        }
        BatchStats batch = !installed.captured() ? null
                : begun.stats() != null ? begun.stats() : BatchStats.query(c, key, installed);
        String fullReason = forcedFullReason != null ? forcedFullReason
                : batch == null ? null : installed.differential() ? AutoDecision.fullReason(installed, batch)
                : BatchStats.REPLACED.equals(batch.marker()) ? AutoDecision.REPLACED : null;
        Long changes = batch == null || !installed.decidesByBatch() ? null : batch.changes();
        if (forcedFullReason == null && !installed.differential() && batch != null && batch.empty()) {
            // FULL, and no source changed since the last refresh: the result is the same (the query
            // depends on its captured sources alone, see InstalledRefresh#captured); the frontier moves.
            return new Prepared(installed, false, batch, "FULL", UNCHANGED, changes, 0, null, false);
        }
        if (!installed.differential() || fullReason != null) {
            // Not after a source was replaced: the new table may break what the stored rows' identity
            // assumes (a key), which only the load, whose key then refuses them, reports.
            boolean fewChangesExpected = rolledBack || forcedFullReason != null
                    || batch != null && installed.differential() && !BatchStats.REPLACED.equals(batch.marker())
                    && !AutoDecision.largeBatch(installed, batch);
            FullRefresh.Outcome full = FullRefresh.run(c, installed, fewChangesExpected);
            return new Prepared(installed, false, batch, "FULL", fullReason, changes, full.rows(),
                    full.vacuum() ? installed.table().sql() : null, false);
        }
        return new Prepared(installed, false, batch, "DIFFERENTIAL", null, changes, 0, null, !batch.empty());
    }

    /**
     * Housekeeping after the commit of {@code result}, off the path of the refresh result: deletes the
     * buffer rows of its sources that every consumer has consumed, and vacuums what it left mostly dead.
     * Failures only postpone it.
     */
    public static void cleanup(Connection c, RefreshResult result) {
        for (long oid : result.consumedSources()) {
            try {
                if (ChangeCapture.cleanup(c, oid) >= VACUUM_AFTER_ROWS) {
                    // A large batch leaves the buffer mostly dead rows until autovacuum comes by; every
                    // refresh until then would scan them, and plans (cached ones too) would be made for
                    // a large buffer.
                    vacuum(c, ChangeCapture.bufferTable(oid));
                }
            } catch (SQLException postponed) {
                // retried after the next refresh that consumes this source
            }
        }
        if (result.vacuumStorage() != null) {
            vacuumStorage(c, result.vacuumStorage());
        }
    }

    /**
     * After a FULL refresh that left many dead rows in {@code table} (see {@link FullRefresh.Outcome#vacuum}),
     * on an auto-commit connection: reclaimed now, the next refresh reuses their space instead of growing the
     * table. A failure is left to autovacuum.
     */
    public static void vacuumStorage(Connection c, String table) {
        try {
            vacuum(c, table);
        } catch (SQLException postponed) {
            // autovacuum reclaims them
        }
    }

    private static void vacuum(Connection c, String table) throws SQLException {
        if (c.getAutoCommit()) {
            try (Statement s = c.createStatement()) {
                s.execute("VACUUM " + table);
            }
        }
    }

    /**
     * The refresh row, the batch stats when the pipelined query applied to it, the sources locked, and
     * whether locking them was refused (no privilege).
     */
    private record Begun(InstalledRefresh installed, BatchStats stats, String lockedSources, boolean lockRefused) {
    }

    /**
     * The source tables of each stream table as its last refresh in this process read them, locked
     * {@code ACCESS SHARE} before the refresh takes its snapshot. A source truncated (or rewritten by
     * {@code ALTER TABLE}) by a transaction that commits while the refresh waits for its lock would
     * otherwise be read with a snapshot from before that commit, and appear empty: the refresh would
     * store a result computed from an empty table (until the next refresh, which the truncation marker
     * makes FULL). Locking first makes the refresh wait before its snapshot, which then sees the commit.
     */
    static final Map<StreamTableKey, String> SOURCE_LOCKS = new ConcurrentHashMap<>();

    /**
     * In {@link #SOURCE_LOCKS}: the role may not lock these sources ({@code LOCK TABLE} needs SELECT on the
     * whole table, and a role may be granted only the columns it reads). Its refreshes go without the lock,
     * as before it existed.
     */
    private static final String UNLOCKABLE = "";

    private static String lockSources(String tables) {
        return "LOCK TABLE " + tables + " IN ACCESS SHARE MODE";
    }

    /**
     * {@link #beginOnce}, again if the snapshot was taken without locking the sources as the row now names
     * them: the first refresh of a stream table in this process, or after its sources changed.
     */
    private static Begun begin(Connection c, StreamTableKey key, CatalogStore store) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            String known = SOURCE_LOCKS.get(key);
            if (UNLOCKABLE.equals(known)) {
                return beginOnce(c, key, store, null);
            }
            Begun begun = beginOnce(c, key, store, known);
            if (begun.lockRefused()) {
                SOURCE_LOCKS.put(key, UNLOCKABLE);
                return begun;
            }
            String sources = begun.installed().sourceTables();
            if (sources == null) {
                SOURCE_LOCKS.remove(key);
            } else {
                SOURCE_LOCKS.put(key, sources);
            }
            if (Objects.equals(sources, begun.lockedSources()) || attempt == 2) {
                return begun;
            }
            c.rollback();
        }
    }

    /**
     * Starts the REPEATABLE READ transaction holding this stream table's advisory lock and its
     * catalog row. The fast path is one round trip: isolation, the source locks, a non-blocking
     * transaction lock, the row (read only if the lock was granted) and, when the stream table was
     * refreshed before by this process, the batch stats (same snapshot, so the same answer as a query
     * after the row). If another refresher (or an apply) holds the lock, or committed after our snapshot
     * was taken, wait for it with a session lock taken *before* a fresh transaction, so that our snapshot
     * is taken after its commit.
     */
    private static Begun beginOnce(Connection c, StreamTableKey key, CatalogStore store, String locked)
            throws SQLException {
        BatchStats.Query stats = BatchStats.QUERIES.get(key);
        boolean refused = false;
        try (Statement s = c.createStatement()) {
            try (PreparedStatement fast = c.prepareStatement("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;\n"
                    + (locked == null ? "" : lockSources(locked) + ";\n")
                    + TRANSACTION_SETTINGS + ";\n" + CatalogStore.tryLockForRefreshSql(key.namespace(), key.name(),
                    StreamTableLock.tryTransactionLockSql(key))
                    + (stats == null ? "" : ";\n" + stats.sql()))) {
                serverPrepared(fast);
                fast.execute();
                while (fast.getResultSet() == null) {
                    fast.getMoreResults();
                }
                fast.getMoreResults(); // past the transaction settings' row
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
                                prefetched = BatchStats.read(rs, row);
                            }
                        }
                    }
                    return new Begun(row, prefetched, locked, false);
                }
            } catch (SQLException e) {
                // 40001: another refresher or an apply committed between our snapshot and our lock (the
                // row lock refuses). 42P01 with source locks: a source renamed or dropped since they were
                // read; begin() reads them again. Otherwise the pipelined stats query may be stale (a source
                // dropped by a re-apply): forget it. Nothing was done yet; take the ordered path below.
                boolean staleLocks = locked != null && "42P01".equals(e.getSQLState());
                refused = locked != null && "42501".equals(e.getSQLState());
                if (stats == null && !staleLocks && !refused && !"40001".equals(e.getSQLState())) {
                    throw e;
                }
                BatchStats.QUERIES.remove(key);
                locked = staleLocks || refused ? null : locked;
            }
            c.rollback();
            c.setAutoCommit(true);
            StreamTableLock.lockSession(c, key);
            try {
                c.setAutoCommit(false);
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                if (locked != null) {
                    try {
                        s.execute(lockSources(locked));
                    } catch (SQLException e) {
                        c.rollback();
                        // As above: a stale name (begin() takes the snapshot again with the sources' names), or
                        // no privilege to lock. Any other failure (lock_timeout, a cancel) fails this refresh, to
                        // be retried, as on the fast path: going on unlocked could read a source emptied by a
                        // concurrent TRUNCATE with a snapshot from before its commit.
                        if (!"42P01".equals(e.getSQLState()) && !"42501".equals(e.getSQLState())) {
                            throw e;
                        }
                        refused = "42501".equals(e.getSQLState());
                        locked = null;
                        s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                    }
                }
                s.execute(TRANSACTION_SETTINGS);
                StreamTableLock.lockTransaction(c, key);
                return new Begun(store.lockForRefresh(key.namespace(), key.name())
                        .orElseThrow(() -> new NoSuchStreamTableException(key)), null, locked, refused);
            } finally {
                // The transaction lock now fences us; the session lock only ordered the snapshot.
                StreamTableLock.unlockSession(c, key);
            }
        }
    }

    /** The previous frontier as SQL, read inside the refresh transaction. */
    public static String previousFrontier(StreamTableKey key) {
        return "(SELECT frontier FROM pgtrickle.stream_tables WHERE namespace = " + Identifiers.literal(key.namespace())
                + " AND name = " + Identifiers.literal(key.name()) + ")";
    }

    /** Asks pgjdbc to use a named server-side statement from the first execution on. */
    static void serverPrepared(PreparedStatement ps) throws SQLException {
        if (ps.isWrapperFor(PGStatement.class)) {
            ps.unwrap(PGStatement.class).setPrepareThreshold(1);
        }
    }
}
