package io.pgtrickle.operator.catalog;

import io.pgtrickle.operator.db.Identifiers;
import io.pgtrickle.operator.db.QualifiedName;
import io.pgtrickle.operator.db.SqlText;

import org.postgresql.PGStatement;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Reads and writes the {@code pgtrickle} catalog. Every method runs on the caller's connection and
 * inside the caller's transaction, so catalog changes commit together with the storage changes they
 * describe.
 */
public final class CatalogStore {
    private static final String COLUMNS = """
            namespace, name, resource_uid, storage_schema, storage_table, query, refresh_mode,
            effective_mode, mode_reason, schedule, suspended, generation, last_refresh_at,
            last_refresh_ms, last_refresh_rows, last_refresh_mode, last_refresh_reason, consecutive_errors,
            last_error, last_error_hint, last_error_at, read_sql""";

    private final Connection c;

    public CatalogStore(Connection c) {
        this.c = c;
    }

    public Optional<StreamTableRecord> find(String namespace, String name) throws SQLException {
        return one("SELECT " + COLUMNS + " FROM pgtrickle.stream_tables WHERE namespace = ? AND name = ?", namespace, name);
    }

    /** The same, locking the row until the transaction ends. */
    public Optional<StreamTableRecord> findForUpdate(String namespace, String name) throws SQLException {
        return one("SELECT " + COLUMNS + " FROM pgtrickle.stream_tables WHERE namespace = ? AND name = ? FOR UPDATE",
                namespace, name);
    }

    public Optional<StreamTableRecord> findByTable(QualifiedName table) throws SQLException {
        return one("SELECT " + COLUMNS + " FROM pgtrickle.stream_tables WHERE storage_schema = ? AND storage_table = ?",
                table.schema(), table.table());
    }

    public List<StreamTableRecord> list() throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM pgtrickle.stream_tables ORDER BY namespace, name");
             ResultSet rs = ps.executeQuery()) {
            List<StreamTableRecord> out = new ArrayList<>();
            while (rs.next()) {
                out.add(read(rs));
            }
            return out;
        }
    }

    /**
     * Inserts or replaces the definition part of a row; refresh results are kept on update.
     *
     * @param loadSql    INSERT filling the empty storage table (also the FULL refresh after TRUNCATE)
     * @param refreshSql the DIFFERENTIAL refresh statement, or null for FULL
     */
    public void upsertDefinition(StreamTableRecord r, String loadSql, String refreshSql, List<Long> sourceOids,
                                 double maxChangeRatio, boolean learnFromHistory, long statementTimeoutMs,
                                 long lockTimeoutMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO pgtrickle.stream_tables
                    (namespace, name, resource_uid, storage_schema, storage_table, query, refresh_mode,
                     effective_mode, mode_reason, schedule, suspended, generation, load_sql, refresh_sql,
                     source_oids, read_sql, max_change_ratio, learn_from_history, statement_timeout_ms,
                     lock_timeout_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (namespace, name) DO UPDATE SET
                    resource_uid = excluded.resource_uid, query = excluded.query,
                    refresh_mode = excluded.refresh_mode, effective_mode = excluded.effective_mode,
                    mode_reason = excluded.mode_reason, schedule = excluded.schedule,
                    suspended = excluded.suspended, generation = excluded.generation,
                    load_sql = excluded.load_sql, refresh_sql = excluded.refresh_sql,
                    source_oids = excluded.source_oids, read_sql = excluded.read_sql,
                    max_change_ratio = excluded.max_change_ratio, learn_from_history = excluded.learn_from_history,
                    statement_timeout_ms = excluded.statement_timeout_ms, lock_timeout_ms = excluded.lock_timeout_ms,
                    updated_at = now()""")) {
            int i = 1;
            ps.setString(i++, r.namespace());
            ps.setString(i++, r.name());
            ps.setString(i++, r.resourceUid());
            ps.setString(i++, r.storageSchema());
            ps.setString(i++, r.storageTable());
            ps.setString(i++, r.query());
            ps.setString(i++, r.refreshMode());
            ps.setString(i++, r.effectiveMode());
            ps.setString(i++, r.modeReason());
            ps.setString(i++, r.schedule());
            ps.setBoolean(i++, r.suspended());
            ps.setObject(i++, r.generation());
            ps.setString(i++, loadSql);
            ps.setString(i++, refreshSql);
            ps.setArray(i++, c.createArrayOf("bigint", sourceOids.toArray()));
            ps.setString(i++, r.readSql());
            ps.setDouble(i++, maxChangeRatio);
            ps.setBoolean(i++, learnFromHistory);
            ps.setLong(i++, statementTimeoutMs);
            ps.setLong(i, lockTimeoutMs);
            ps.executeUpdate();
        }
    }

    public void replaceSources(String namespace, String name, Collection<QualifiedName> sources) throws SQLException {
        try (PreparedStatement del = c.prepareStatement(
                "DELETE FROM pgtrickle.stream_table_sources WHERE namespace = ? AND name = ?")) {
            del.setString(1, namespace);
            del.setString(2, name);
            del.executeUpdate();
        }
        try (PreparedStatement ins = c.prepareStatement(
                "INSERT INTO pgtrickle.stream_table_sources VALUES (?, ?, ?, ?,"
                        + " to_regclass(format('%I.%I', ?, ?))::oid::bigint) ON CONFLICT DO NOTHING")) {
            for (QualifiedName q : sources) {
                ins.setString(1, namespace);
                ins.setString(2, name);
                ins.setString(3, q.schema());
                ins.setString(4, q.table());
                ins.setString(5, q.schema());
                ins.setString(6, q.table());
                ins.addBatch();
            }
            ins.executeBatch();
        }
    }

    /** Stream tables (namespace/name keys) whose storage table {@code namespace/name} reads. */
    public List<String[]> upstreamOf(String namespace, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT u.namespace, u.name
                  FROM pgtrickle.stream_table_sources s
                  JOIN pgtrickle.stream_tables u
                    ON u.storage_schema = s.source_schema AND u.storage_table = s.source_table
                 WHERE s.namespace = ? AND s.name = ?
                 ORDER BY 1, 2""")) {
            ps.setString(1, namespace);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                List<String[]> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new String[] {rs.getString(1), rs.getString(2)});
                }
                return out;
            }
        }
    }

    /** The source tables (by oid) whose change buffers feed {@code namespace/name}; empty if none or unknown. */
    public List<Long> sourceOids(String namespace, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT source_oids FROM pgtrickle.stream_tables WHERE namespace = ? AND name = ?")) {
            ps.setString(1, namespace);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? List.of((Long[]) rs.getArray(1).getArray()) : List.of();
            }
        }
    }

    /**
     * The storage table {@code table} is being recreated: stream tables reading it lose their
     * DIFFERENTIAL statement (it names the old table's change buffer) and refresh in FULL until
     * applied again, which re-plans them against the new table.
     */
    public void invalidateDependants(QualifiedName table) throws SQLException {
        readersToFull("s.source_schema = ? AND s.source_table = ?", "source ", " was recreated", table.schema(),
                table.table());
        // FULL readers that skip a refresh when nothing changed: the new table's changes do not reach the old
        // one's buffer, so they recompute at every refresh until applied again (which captures the new table).
        update("""
                UPDATE pgtrickle.stream_tables t SET source_oids = '{}', updated_at = now(),
                       mode_reason = 'maintained in FULL; source ' || s.source_schema || '.' || s.source_table
                           || ' was recreated: every refresh recomputes until this stream table is applied again'
                  FROM pgtrickle.stream_table_sources s
                 WHERE s.namespace = t.namespace AND s.name = t.name AND s.source_schema = ? AND s.source_table = ?
                   AND t.effective_mode = 'FULL' AND cardinality(t.source_oids) > 0""", table.schema(), table.table());
    }

    /**
     * A captured column of the source {@code sourceOid} was renamed or dropped, and its capture now fills
     * columns by their current names: a stream table whose DIFFERENTIAL statement reads the old buffer
     * column would see NULLs, so every reader refreshes in FULL until applied again (its query re-checked).
     */
    public void invalidateReadersOfChangedCapture(long sourceOid) throws SQLException {
        readersToFull("s.source_oid = ?", "a captured column of ", " was renamed or dropped", sourceOid);
    }

    /** Drops the DIFFERENTIAL statement of the stream tables reading the sources {@code sourceMatch} selects. */
    private void readersToFull(String sourceMatch, String reasonBefore, String reasonAfter, Object... args)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE pgtrickle.stream_tables t
                   SET refresh_sql = NULL, updated_at = now(),
                       mode_reason = ?::text || s.source_schema || '.' || s.source_table || ?::text
                           || ': refreshing in FULL until this stream table is applied again'
                  FROM pgtrickle.stream_table_sources s
                 WHERE s.namespace = t.namespace AND s.name = t.name
                   AND %s AND t.refresh_sql IS NOT NULL""".formatted(sourceMatch))) {
            ps.setString(1, reasonBefore);
            ps.setString(2, reasonAfter);
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 3, args[i]);
            }
            ps.executeUpdate();
        }
    }

    private static final String REFRESH_COLUMNS = """
            storage_schema, storage_table, refresh_mode, effective_mode, load_sql, refresh_sql,
                   source_oids, frontier IS NULL, max_change_ratio, learn_from_history, suspended,
                   (SELECT string_agg(format('%I.%I', n.nspname, k.relname), ', ' ORDER BY k.oid)
                      FROM pgtrickle.stream_table_sources s JOIN pg_class k ON k.oid = s.source_oid
                      JOIN pg_namespace n ON n.oid = k.relnamespace
                     WHERE s.namespace = stream_tables.namespace AND s.name = stream_tables.name
                       AND k.relkind IN ('r', 'p', 'v')),
                   -- the stream table's RefreshPolicy timeouts, for the rest of the refresh transaction
                   set_config('statement_timeout', statement_timeout_ms || 'ms', true) IS NOT NULL,
                   set_config('lock_timeout', lock_timeout_ms || 'ms', true) IS NOT NULL""";

    /** What a refresh needs to run, read with the row locked. */
    public Optional<InstalledRefresh> lockForRefresh(String namespace, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + REFRESH_COLUMNS
                + "\n  FROM pgtrickle.stream_tables WHERE namespace = ? AND name = ? FOR UPDATE")) {
            ps.setString(1, namespace);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(installedRefresh(rs, 1)) : Optional.empty();
            }
        }
    }

    /**
     * A SELECT that evaluates {@code lockSql} (a boolean: a non-blocking lock) and, only when it is
     * true, reads the refresh row locked: column 1 is the lock's result, the row follows (all NULL when
     * not locked or absent). Read it with {@link #lockedRefresh}.
     */
    public static String tryLockForRefreshSql(String namespace, String name, String lockSql) {
        return "SELECT l.locked, r.* FROM (SELECT " + lockSql + " AS locked) AS l"
                + "\nLEFT JOIN LATERAL (SELECT " + REFRESH_COLUMNS
                + "\n  FROM pgtrickle.stream_tables WHERE namespace = " + Identifiers.literal(namespace)
                + " AND name = " + Identifiers.literal(name) + " AND l.locked FOR UPDATE) AS r ON true";
    }

    /** The row read by {@link #tryLockForRefreshSql}, when it was locked and exists. */
    public static Optional<InstalledRefresh> lockedRefresh(ResultSet rs) throws SQLException {
        return rs.getString(2) == null ? Optional.empty() : Optional.of(installedRefresh(rs, 2));
    }

    private static InstalledRefresh installedRefresh(ResultSet rs, int at) throws SQLException {
        Long[] oids = (Long[]) rs.getArray(at + 6).getArray();
        return new InstalledRefresh(new QualifiedName(rs.getString(at), rs.getString(at + 1)),
                rs.getString(at + 2), rs.getString(at + 3), rs.getString(at + 4), rs.getString(at + 5), List.of(oids),
                rs.getBoolean(at + 7), rs.getDouble(at + 8), rs.getBoolean(at + 9), rs.getBoolean(at + 10),
                rs.getString(at + 11));
    }

    /**
     * A suspended stream table stops holding change-buffer rows: without a frontier its next refresh
     * recomputes in full, and its sources' buffers are cleaned (or dropped) as if it did not read them.
     */
    public void releaseFrontier(String namespace, String name) throws SQLException {
        update("UPDATE pgtrickle.stream_tables SET frontier = NULL WHERE namespace = ? AND name = ?", namespace, name);
    }

    /** Records a successful refresh: frontier = this transaction's snapshot. */
    public void recordRefresh(String namespace, String name, Instant startedAt, double ms, long rows, String mode)
            throws SQLException {
        recordRefresh(namespace, name, startedAt, ms, rows, mode, null, null, false);
    }

    /** As above; {@code changes} is the batch size (change-buffer rows), kept to learn refresh costs. */
    public void recordRefresh(String namespace, String name, Instant startedAt, double ms, long rows, String mode,
                              Long changes, String reason, boolean thenCommit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RECORD_REFRESH.formatted("?::bigint", "?::float8")
                + (thenCommit ? ";\nCOMMIT" : ""))) {
            bindRecord(ps, namespace, name, startedAt, ms, mode, changes, reason);
            ps.setLong(8, rows);
            ps.executeUpdate();
        }
    }

    /**
     * Runs {@code applySql} (a refresh's MERGE into {@code storage}), records the refresh and commits,
     * all in one round trip: every refresh that applies a batch pays for this one, so it is the second
     * and last of a DIFFERENTIAL refresh. The row count comes from the transaction's own statistics of
     * the storage table (the MERGE's inserted, updated and deleted rows), and the duration is
     * {@code msBefore} (the client's time up to this round trip) plus the database's time from before the
     * MERGE to the record.
     *
     * @param prepared whether PostgreSQL keeps the statements prepared on this connection (see the caller)
     * @return the MERGE's row count
     */
    public long applyRecordAndCommit(String applySql, String storage, boolean prepared, String namespace, String name,
                                     Instant startedAt, double msBefore, String mode, Long changes, String reason)
            throws SQLException {
        // applySql holds the user's expressions, which may use ? operators (jsonb): escaped, as this statement
        // has parameters
        String sql = "SELECT set_config('pgtrickle.apply_started', clock_timestamp()::text, true);\n"
                + SqlText.escapeParameterMarks(applySql) + ";\n"
                + RECORD_REFRESH.formatted(
                "(SELECT pg_stat_get_xact_tuples_inserted(o) + pg_stat_get_xact_tuples_updated(o)"
                        + " + pg_stat_get_xact_tuples_deleted(o) FROM (SELECT ?::regclass::oid AS o) x)",
                "?::float8 + 1000 * extract(epoch FROM clock_timestamp()"
                        + " - current_setting('pgtrickle.apply_started')::timestamptz)::float8")
                + ";\nCOMMIT";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (ps.isWrapperFor(PGStatement.class)) {
                ps.unwrap(PGStatement.class).setPrepareThreshold(prepared ? 1 : 0);
            }
            bindRecord(ps, namespace, name, startedAt, msBefore, mode, changes, reason);
            ps.setString(8, storage);
            ps.execute();
            // results: set_config's row, then the MERGE's count
            ps.getMoreResults();
            return ps.getUpdateCount();
        }
    }

    /**
     * The history row and the catalog row of a successful refresh, one statement (this is on the path of
     * every refresh, even an empty one). Formatted with the SQL of the row count and of the duration.
     */
    private static final String RECORD_REFRESH = """
            WITH args AS (
                SELECT ?::text AS ns, ?::text AS nm, ?::timestamptz AS at, %2$s AS ms, ?::text AS mode,
                       ?::bigint AS changes, ?::text AS reason, %1$s AS rows),
            h AS (
                INSERT INTO pgtrickle.refresh_history
                    (namespace, name, started_at, duration_ms, mode, rows, changes, ok)
                SELECT ns, nm, at, ms, mode, rows, changes, true FROM args)
            UPDATE pgtrickle.stream_tables t
               SET last_refresh_at = a.at, last_refresh_ms = a.ms, last_refresh_rows = a.rows,
                   last_refresh_mode = a.mode, last_refresh_reason = a.reason, consecutive_errors = 0,
                   last_error = NULL,
                   last_error_hint = NULL, last_error_at = NULL, frontier = pg_current_snapshot(),
                   updated_at = now()
              FROM args a
             WHERE t.namespace = a.ns AND t.name = a.nm""";

    private static void bindRecord(PreparedStatement ps, String namespace, String name, Instant startedAt, double ms,
                                   String mode, Long changes, String reason) throws SQLException {
        ps.setString(1, namespace);
        ps.setString(2, name);
        ps.setTimestamp(3, Timestamp.from(startedAt));
        ps.setDouble(4, ms);
        ps.setString(5, mode);
        ps.setObject(6, changes, java.sql.Types.BIGINT);
        ps.setString(7, reason);
    }

    /** Records a failed refresh (in a transaction of its own, after the refresh rolled back). */
    public void recordError(String namespace, String name, Instant at, double ms, String mode, String message,
                            String hint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE pgtrickle.stream_tables
                   SET consecutive_errors = consecutive_errors + 1, last_error = ?, last_error_hint = ?,
                       last_error_at = ?, updated_at = now()
                 WHERE namespace = ? AND name = ?""")) {
            ps.setString(1, message);
            ps.setString(2, hint);
            ps.setTimestamp(3, Timestamp.from(at));
            ps.setString(4, namespace);
            ps.setString(5, name);
            ps.executeUpdate();
        }
        history(namespace, name, at, ms, mode, null, message);
    }

    public void delete(String namespace, String name) throws SQLException {
        update("DELETE FROM pgtrickle.stream_tables WHERE namespace = ? AND name = ?", namespace, name);
        // a new stream table of this name, perhaps with another query, must not learn from these costs
        update("DELETE FROM pgtrickle.refresh_history WHERE namespace = ? AND name = ?", namespace, name);
    }

    private void update(String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    private void history(String namespace, String name, Instant at, double ms, String mode, Long rows, String error)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO pgtrickle.refresh_history (namespace, name, started_at, duration_ms, mode, rows, ok, error)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setString(1, namespace);
            ps.setString(2, name);
            ps.setTimestamp(3, Timestamp.from(at));
            ps.setDouble(4, ms);
            ps.setString(5, mode);
            ps.setObject(6, rows);
            ps.setBoolean(7, error == null);
            ps.setString(8, error);
            ps.executeUpdate();
        }
    }

    private Optional<StreamTableRecord> one(String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    private static StreamTableRecord read(ResultSet rs) throws SQLException {
        return new StreamTableRecord(
                rs.getString("namespace"), rs.getString("name"), rs.getString("resource_uid"),
                rs.getString("storage_schema"), rs.getString("storage_table"), rs.getString("query"),
                rs.getString("refresh_mode"), rs.getString("effective_mode"), rs.getString("mode_reason"),
                rs.getString("schedule"), rs.getBoolean("suspended"), (Long) rs.getObject("generation"),
                instant(rs.getTimestamp("last_refresh_at")), (Double) rs.getObject("last_refresh_ms"),
                (Long) rs.getObject("last_refresh_rows"), rs.getString("last_refresh_mode"),
                rs.getString("last_refresh_reason"),
                rs.getInt("consecutive_errors"), rs.getString("last_error"), rs.getString("last_error_hint"),
                instant(rs.getTimestamp("last_error_at")), rs.getString("read_sql"));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
